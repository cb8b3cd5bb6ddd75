// Types for scripts/ensure-exiftool.mjs (plain JS so it runs before anything is built).
export type ExiftoolStatus = { ok: true; version: string } | { ok: false; reason: string };
export declare function exiftoolStatus(): ExiftoolStatus;
export declare function ensureExiftool(opts?: { install?: boolean; log?: (message: string) => void }): ExiftoolStatus;
