// Types for scripts/ensure-debian-package.mjs (plain JS so it runs before anything is built).
export type DebianPackageStatus = { ok: true } | { ok: false; reason: string };
export function ensureDebianPackage(opts: { pkg: string; files: string[]; why: string; install?: boolean; log?: (m: string) => void }): DebianPackageStatus;
