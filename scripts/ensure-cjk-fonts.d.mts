// Types for scripts/ensure-cjk-fonts.mjs (plain JS so it runs before anything is built).
export type CjkFontsStatus = { ok: true } | { ok: false; reason: string };
export declare const CJK_FONT_FILES: readonly string[];
export declare function cjkFontsStatus(): CjkFontsStatus;
export declare function ensureCjkFonts(opts?: { install?: boolean; log?: (m: string) => void }): CjkFontsStatus;
