// Types for scripts/ensure-electron.mjs (plain JS so it runs before anything is built).
export declare function electronInstalled(electronDir?: string): boolean;
export declare function electronVersion(electronDir?: string): string;
export declare function electronSqliteDir(root: string, version: string, platform?: string, arch?: string): string;
