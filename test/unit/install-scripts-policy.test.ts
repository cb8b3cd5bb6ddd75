/**
 * Which dependencies may run install scripts is reviewed, in package.json's `allowScripts`. npm 12
 * runs no dependency script that is not approved there — and the install still "succeeds", with
 * better-sqlite3 left unbuilt and the bundled ffmpeg not executable, so the app would break at run
 * time, not at install. These checks read the lockfile (which records `hasInstallScript` for every
 * package, on every platform) so that a new or upgraded dependency with a script fails here, before
 * a clean clone finds out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;

interface LockEntry {
  hasInstallScript?: boolean;
}

/** Package names whose install scripts the lockfile says exist (every platform's optional packages included). */
function packagesWithInstallScripts(): string[] {
  const lock = readJson('package-lock.json') as { packages: Record<string, LockEntry> };
  const names = new Set<string>();
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (!where || !entry.hasInstallScript) continue;
    names.add(where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));
  }
  return [...names].sort();
}

const allowScripts = (readJson('package.json').allowScripts ?? {}) as Record<string, boolean>;

describe('install scripts are reviewed (package.json allowScripts)', () => {
  it('every dependency with an install script is approved or denied by name', () => {
    const scripted = packagesWithInstallScripts();
    expect(scripted.length).toBeGreaterThan(0);
    const unreviewed = scripted.filter((name) => typeof allowScripts[name] !== 'boolean');
    expect(unreviewed, 'add each to allowScripts (true to run its script, false to skip it) after reading the script').toEqual([]);
  });

  it('approves the scripts the app cannot run without, on every platform the lockfile holds', () => {
    const needed = packagesWithInstallScripts().filter(
      // better-sqlite3 compiles (or fetches) its binding; the ffmpeg/ffprobe packages chmod +x their binary.
      (name) => name === 'better-sqlite3' || name.startsWith('@ffmpeg-installer/') || name.startsWith('@ffprobe-installer/'),
    );
    expect(needed).toContain('better-sqlite3');
    expect(needed.filter((name) => allowScripts[name] !== true)).toEqual([]);
  });

  it('denies the onnxruntime-node script, which only downloads the CUDA provider from NuGet', () => {
    expect(allowScripts['onnxruntime-node']).toBe(false);
  });

  it('names no package the lockfile does not hold (a stale entry hides nothing, but misleads)', () => {
    const scripted = new Set(packagesWithInstallScripts());
    expect(Object.keys(allowScripts).filter((name) => !scripted.has(name))).toEqual([]);
  });

  it('.npmrc makes an unreviewed script fail the install', () => {
    const npmrc = fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8');
    expect(npmrc).toMatch(/^strict-allow-scripts=true$/m);
  });
});
