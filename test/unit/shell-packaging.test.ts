/**
 * electron-builder.yml is complete for what the app loads at run time. Patterns are evaluated with
 * electron-builder's own FileMatcher (app-builder-lib, a dependency of electron-builder — imported
 * deliberately, so matching semantics are exactly the packager's) and the config is validated
 * against its JSON schema. On Linux the packager is also run for real (`--dir`, a stand-in
 * Electron binary, no network) and the installed layout is checked against paths.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLES, RENDERER_DIR, resolveAppPaths, sqliteVecLoadable } from '../../electron/main/paths.ts';
import { locateTool } from '../../electron/engine/video/ffmpeg.ts';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '../..');

type Stat = { isDirectory(): boolean; moduleFullFilePath?: string };
interface FileMatcherCtor {
  new (from: string, to: string, macro: (s: string) => string, patterns?: string[] | string): { createFilter(): (file: string, stat: Stat) => boolean };
}
const { FileMatcher } = require('app-builder-lib/out/fileMatcher.js') as { FileMatcher: FileMatcherCtor };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const yaml = require('js-yaml') as { load(text: string): unknown };

interface FileSet {
  from: string;
  to: string;
  filter: string[];
}
interface TargetSpec {
  target: string;
  arch: string[];
}
interface Config {
  appId: string;
  productName: string;
  asar: boolean;
  npmRebuild: boolean;
  directories: { output: string; buildResources: string };
  files: string[];
  asarUnpack: string[];
  extraResources: FileSet[];
  mac: { icon: string; target: TargetSpec[] };
  win: { icon: string; target: TargetSpec[] };
  linux: { icon: string; target: TargetSpec[] };
}

const config = yaml.load(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Config;
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };

const PLATFORM_OF = { mac: 'darwin', win: 'win32', linux: 'linux' } as const;

function macro(platform: string, arch: string): (s: string) => string {
  const osName = platform === 'darwin' ? 'mac' : platform === 'win32' ? 'win' : 'linux';
  return (s) => s.replaceAll('${platform}', platform).replaceAll('${arch}', arch).replaceAll('${os}', osName);
}

/** A predicate on app-relative paths ("node_modules/x/y.node"), as electron-builder evaluates it. */
function matcher(patterns: string[], platform = process.platform, arch = process.arch): (rel: string, dir?: boolean) => boolean {
  const filter = new FileMatcher(ROOT, '/dest', macro(platform, arch), patterns).createFilter();
  return (rel, dir = false) => filter(path.join(ROOT, rel), { isDirectory: () => dir, moduleFullFilePath: rel });
}

/**
 * What the packager copies from node_modules: everything of a production dependency except the
 * `files` exclusions (electron-builder's getNodeModuleFileMatcher keeps only the "!" patterns).
 */
function nodeModulesMatcher(platform = process.platform, arch = process.arch): (rel: string) => boolean {
  return matcher(['**/*', ...config.files.filter((p) => p.startsWith('!'))], platform, arch);
}

function fileSetMatcher(set: FileSet): (relToFrom: string) => boolean {
  const from = path.join(ROOT, set.from);
  const filter = new FileMatcher(from, '/dest', macro(process.platform, process.arch), set.filter).createFilter();
  return (rel) => filter(path.join(from, rel), { isDirectory: () => false });
}

function walk(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p, base);
    return e.isFile() || e.isSymbolicLink() ? [path.relative(base, p).split(path.sep).join('/')] : [];
  });
}

/** Directories (node_modules/…) of every production dependency, from package-lock.json. */
function productionPackages(): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([p, meta]) => p.startsWith('node_modules/') && !meta.dev && !meta.devOptional)
    .map(([p]) => p)
    .filter((p) => fs.existsSync(path.join(ROOT, p)));
}

const NATIVE_FILE = /\.(node|dll|dylib)$|\.so(\.\d+)*$/;

/** Native files the app loads, found on disk (production dependencies only). */
function nativeFiles(): string[] {
  return productionPackages().flatMap((dir) =>
    walk(path.join(ROOT, dir))
      .filter((f) => !f.includes('node_modules/')) // nested packages are listed on their own
      .map((f) => `${dir}/${f}`)
      .filter((f) => NATIVE_FILE.test(f))
      // better-sqlite3's build intermediates and test extension are not loaded at run time.
      .filter((f) => !/\/(obj\.target|test_extension)/.test(f) && !f.includes('/test_extension.node')),
  );
}

function targets(): { platform: string; arch: string; target: string }[] {
  return (['mac', 'win', 'linux'] as const).flatMap((os) =>
    config[os].target.flatMap((t) => t.arch.map((arch) => ({ platform: PLATFORM_OF[os], arch, target: t.target }))),
  );
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    await expect(validateConfiguration(config, { isEnabled: false, add: () => {} })).resolves.toBeUndefined();
  });

  it('names the app and packs it into asar with native rebuilds', () => {
    expect(config.appId).toBe('app.shiguang.desktop');
    expect(config.productName).toBe('拾光');
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(true);
    expect(config.directories).toEqual({ output: 'release', buildResources: 'resources' });
  });

  it('builds the expected installers', () => {
    const t = targets().map((x) => `${x.platform}/${x.arch}/${x.target}`).sort();
    expect(t).toEqual(['darwin/arm64/dmg', 'linux/x64/AppImage', 'linux/x64/deb', 'win32/x64/nsis']);
  });

  it('ships an onnxruntime binary and a sqlite-vec build for every target', () => {
    for (const { platform, arch } of targets()) {
      const ort = path.join(ROOT, 'node_modules/onnxruntime-node/bin/napi-v6', platform, arch, 'onnxruntime_binding.node');
      expect(fs.existsSync(ort), `onnxruntime-node has no ${platform}/${arch} binary`).toBe(true);
      expect(sqliteVecLoadable(platform as NodeJS.Platform, arch), `sqlite-vec has no ${platform}-${arch} build`).not.toBeNull();
    }
  });

  it('puts the bundles, the renderer and package.json into the app, and nothing else of the repo', () => {
    const inApp = matcher(config.files);
    expect(pkg.main).toBe(BUNDLES.main);
    for (const f of [...Object.values(BUNDLES), `${RENDERER_DIR}/index.html`, `${RENDERER_DIR}/assets/index-abc.js`, 'package.json']) {
      expect(inApp(f), f).toBe(true);
    }
    for (const f of ['electron/main/index.ts', 'test/unit/x.test.ts', 'scripts/build-electron.ts', '.cache/test-models/tiny/manifest.json', 'out/main/index.js.map', 'models/cn-clip-vit-b-16/manifest.json']) {
      expect(inApp(f), f).toBe(false);
    }
  });

  it('unpacks every native file of the production dependencies from asar', () => {
    const natives = nativeFiles();
    // The scan must see the modules we know about, or it proves nothing.
    const host = sqliteVecLoadable(process.platform, process.arch)!;
    const expected = [/better-sqlite3\/build\/Release\/better_sqlite3\.node$/, /onnxruntime-node\/bin\/.*onnxruntime_binding\.node$/, /@img\/sharp-[^/]+\/lib\/.*\.node$/, /@img\/sharp-libvips-/, new RegExp(`${host.pkg}/${host.file.replace('.', '\\.')}$`)];
    for (const re of expected) expect(natives.some((f) => re.test(f)), String(re)).toBe(true);

    const unpacked = matcher(config.asarUnpack);
    const shipped = nodeModulesMatcher();
    let checked = 0;
    for (const f of natives) {
      // Files the packager drops for this platform (other OS/CPU builds) need no unpacking.
      if (!shipped(f)) continue;
      expect(unpacked(f), `${f} would be inside app.asar`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(expected.length);
    // sharp's loader sits beside its binaries' packages; unpack it too, as sharp documents.
    expect(unpacked('node_modules/sharp/dist/index.cjs')).toBe(true);
  });

  it('unpacks the video decoder executables from asar (the OS cannot run a file inside an archive)', () => {
    const unpacked = matcher(config.asarUnpack);
    const shipped = nodeModulesMatcher();
    const bins = ['@ffmpeg-installer', '@ffprobe-installer'].flatMap((scope) =>
      productionPackages()
        .filter((d) => d.startsWith(`node_modules/${scope}/`))
        .flatMap((d) => walk(path.join(ROOT, d)).filter((f) => /^ff(mpeg|probe)(\.exe)?$/.test(f)).map((f) => `${d}/${f}`)),
    );
    // This host's platform packages must be installed, or the check proves nothing.
    expect(bins.some((b) => b.includes(`@ffmpeg-installer/${process.platform}-${process.arch}/`))).toBe(true);
    expect(bins.some((b) => b.includes(`@ffprobe-installer/${process.platform}-${process.arch}/`))).toBe(true);
    for (const b of bins) {
      expect(shipped(b), `${b} is not shipped`).toBe(true);
      expect(unpacked(b), `${b} would be inside app.asar`).toBe(true);
    }
  });

  it('never ships the non-redistributable ffmpeg build for Apple Silicon (--enable-nonfree)', () => {
    expect(nodeModulesMatcher('darwin', 'arm64')('node_modules/@ffmpeg-installer/darwin-arm64/ffmpeg')).toBe(false);
    expect(nodeModulesMatcher('darwin', 'arm64')('node_modules/@ffprobe-installer/darwin-arm64/ffprobe')).toBe(true);
    expect(nodeModulesMatcher('linux', 'x64')('node_modules/@ffmpeg-installer/linux-x64/ffmpeg')).toBe(true);
    expect(nodeModulesMatcher('win32', 'x64')('node_modules/@ffmpeg-installer/win32-x64/ffmpeg.exe')).toBe(true);
  });

  it('keeps onnxruntime builds of other systems out of the package', () => {
    const linuxX64 = nodeModulesMatcher('linux', 'x64');
    expect(linuxX64('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node')).toBe(true);
    expect(linuxX64('node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll')).toBe(false);
    expect(linuxX64('node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/onnxruntime_binding.node')).toBe(false);
    const win = nodeModulesMatcher('win32', 'x64');
    expect(win('node_modules/onnxruntime-node/bin/napi-v6/win32/x64/DirectML.dll')).toBe(true);
    expect(win('node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node')).toBe(false);
  });

  it('ships every resource the engine reads, and no model weights', () => {
    const ship = (repoRel: string) =>
      config.extraResources.some((set) => repoRel.startsWith(`${set.from}/`) && fileSetMatcher(set)(repoRel.slice(set.from.length + 1)));
    const needed = ['resources/vocab.txt', 'resources/tags/taxonomy.json', 'models/catalogue.json', ...walk(path.join(ROOT, 'models')).filter((f) => f.endsWith('manifest.json')).map((f) => `models/${f}`)];
    expect(needed.length).toBeGreaterThan(4);
    for (const f of needed) {
      expect(fs.existsSync(path.join(ROOT, f)), `${f} missing in the repo`).toBe(true);
      expect(ship(f), `${f} is not in extraResources`).toBe(true);
    }
    for (const f of ['models/cn-clip-vit-b-16/vit-b-16.img.fp16.onnx', 'models/x/y.extra_file', 'resources/icons/icon.png']) expect(ship(f), f).toBe(false);
  });

  it('has valid icons for every platform', async () => {
    const png = await sharp(path.join(ROOT, 'resources/icons/icon.png')).metadata();
    expect([png.format, png.width, png.height]).toEqual(['png', 1024, 1024]);

    const ico = fs.readFileSync(path.join(ROOT, config.win.icon));
    expect(ico.readUInt16LE(2)).toBe(1);
    const icoSizes: number[] = [];
    for (let i = 0; i < ico.readUInt16LE(4); i++) {
      const e = 6 + 16 * i;
      const size = ico.readUInt8(e) || 256;
      const img = await sharp(ico.subarray(ico.readUInt32LE(e + 12), ico.readUInt32LE(e + 12) + ico.readUInt32LE(e + 8))).metadata();
      expect(img.width).toBe(size);
      icoSizes.push(size);
    }
    expect(icoSizes).toEqual(expect.arrayContaining([16, 32, 48, 256]));

    const icns = fs.readFileSync(path.join(ROOT, config.mac.icon));
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types = new Map<string, number>();
    for (let off = 8; off < icns.length; ) {
      const type = icns.toString('ascii', off, off + 4);
      const len = icns.readUInt32BE(off + 4);
      types.set(type, (await sharp(icns.subarray(off + 8, off + len)).metadata()).width ?? 0);
      off += len;
    }
    expect(types.get('ic10')).toBe(1024);
    expect(types.get('ic07')).toBe(128);

    for (const f of fs.readdirSync(path.join(ROOT, config.linux.icon))) {
      const n = Number(/^(\d+)x\1\.png$/.exec(f)?.[1]);
      expect((await sharp(path.join(ROOT, config.linux.icon, f)).metadata()).width, f).toBe(n);
    }
    expect(fs.existsSync(path.join(ROOT, config.linux.icon, '256x256.png'))).toBe(true);
  });
});

describe('a simulated install matches paths.ts', () => {
  let tmp: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-layout-'));
    const resourcesPath = path.join(tmp, 'resources');
    // extraResources: copied as the rules say.
    for (const set of config.extraResources) {
      const keep = fileSetMatcher(set);
      for (const f of walk(path.join(ROOT, set.from)).filter(keep)) {
        const dest = path.join(resourcesPath, set.to, f);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.copyFileSync(path.join(ROOT, set.from, f), dest);
      }
    }
    // asarUnpack: production files the rules unpack, linked into app.asar.unpacked.
    const unpacked = matcher(config.asarUnpack);
    const shipped = nodeModulesMatcher();
    for (const dir of productionPackages()) {
      for (const f of walk(path.join(ROOT, dir)).filter((x) => !x.includes('node_modules/'))) {
        const rel = `${dir}/${f}`;
        if (!shipped(rel) || !unpacked(rel)) continue;
        const dest = path.join(resourcesPath, 'app.asar.unpacked', rel);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.symlinkSync(path.join(ROOT, rel), dest);
      }
    }
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('finds vocab, taxonomy, model catalogue and the sqlite-vec loadable', () => {
    const resourcesPath = path.join(tmp, 'resources');
    const p = resolveAppPaths({ isPackaged: true, resourcesPath, appPath: path.join(resourcesPath, 'app.asar') });
    expect(fs.existsSync(path.join(p.resourcesDir, 'vocab.txt'))).toBe(true);
    expect(fs.existsSync(path.join(p.resourcesDir, 'tags', 'taxonomy.json'))).toBe(true);
    expect(fs.existsSync(path.join(p.modelsCatalogueDir, 'catalogue.json'))).toBe(true);
    expect(fs.existsSync(path.join(p.modelsCatalogueDir, 'cn-clip-vit-b-16', 'manifest.json'))).toBe(true);
    expect(p.sqliteVecPath && fs.existsSync(p.sqliteVecPath)).toBe(true);
  });

  it('finds ffmpeg and ffprobe unpacked beside app.asar, as the engine resolves them there', () => {
    const asarModules = path.join(tmp, 'resources', 'app.asar', 'node_modules');
    for (const tool of ['ffmpeg', 'ffprobe'] as const) {
      // Inside the packaged app, require.resolve answers with a path inside app.asar.
      const found = locateTool(tool, { env: {}, resolvePackage: (req) => path.join(asarModules, req) });
      expect(found).toBe(path.join(tmp, 'resources', 'app.asar.unpacked', 'node_modules', `@${tool}-installer`, `${process.platform}-${process.arch}`, tool));
      expect(execFileSync(found, ['-version'], { encoding: 'utf8' })).toMatch(new RegExp(`^${tool} version`));
    }
  });
});

// The real packager, offline: a stand-in Electron binary, no native rebuild (that needs Electron's
// headers from the network). Linux only: elsewhere --dir expects a real Electron.app / electron.exe.
// Takes 10–30 s; SHIGUANG_SKIP_PACKAGER=1 skips it for quick local runs.
describe.runIf(process.platform === 'linux' && !process.env.SHIGUANG_SKIP_PACKAGER)('electron-builder --dir (real packager, offline)', () => {
  let work: string;
  let appOut: string;

  beforeAll(() => {
    // Inside the repo so node_modules can be hard-linked (same file system), and ignored by git.
    fs.mkdirSync(path.join(ROOT, '.cache'), { recursive: true });
    work = fs.mkdtempSync(path.join(ROOT, '.cache', 'shell-packaging-'));
    const project = path.join(work, 'project');
    const fakeElectron = path.join(work, 'electron-dist');
    fs.mkdirSync(fakeElectron, { recursive: true });
    fs.writeFileSync(path.join(fakeElectron, 'electron'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(fakeElectron, 'version'), '41.7.1');
    fs.mkdirSync(project);
    for (const f of ['package.json', 'package-lock.json', 'electron-builder.yml']) fs.copyFileSync(path.join(ROOT, f), path.join(project, f));
    fs.cpSync(path.join(ROOT, 'resources'), path.join(project, 'resources'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'models'), path.join(project, 'models'), { recursive: true });
    for (const b of Object.values(BUNDLES)) {
      fs.mkdirSync(path.dirname(path.join(project, b)), { recursive: true });
      fs.writeFileSync(path.join(project, b), '// bundle');
      fs.writeFileSync(path.join(project, `${b}.map`), '{}');
    }
    fs.mkdirSync(path.join(project, RENDERER_DIR), { recursive: true });
    fs.writeFileSync(path.join(project, RENDERER_DIR, 'index.html'), '<!doctype html>');
    fs.mkdirSync(path.join(project, 'electron'));
    fs.writeFileSync(path.join(project, 'electron', 'secret-source.ts'), 'source');
    execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(project, 'node_modules')]);
    const out = path.join(work, 'release');
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/electron-builder/cli.js'),
        '--config', 'electron-builder.yml', '--linux', 'dir', '--x64',
        `-c.electronDist=${fakeElectron}`, '-c.electronVersion=41.7.1', '-c.npmRebuild=false', `-c.directories.output=${out}`,
      ],
      { cwd: project, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
    );
    appOut = path.join(out, 'linux-unpacked');
  }, 180_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('produces the layout paths.ts expects', () => {
    expect(fs.existsSync(path.join(appOut, 'shiguang'))).toBe(true);
    const resourcesPath = path.join(appOut, 'resources');
    const p = resolveAppPaths({ isPackaged: true, resourcesPath, appPath: path.join(resourcesPath, 'app.asar'), platform: 'linux', arch: 'x64' });
    for (const f of [path.join(p.resourcesDir, 'vocab.txt'), path.join(p.resourcesDir, 'tags', 'taxonomy.json'), path.join(p.modelsCatalogueDir, 'catalogue.json'), path.join(p.modelsCatalogueDir, 'cn-clip-vit-b-16', 'manifest.json'), p.sqliteVecPath!]) {
      expect(fs.existsSync(f), f).toBe(true);
    }
    const unpacked = path.join(resourcesPath, 'app.asar.unpacked', 'node_modules');
    for (const f of ['better-sqlite3/build/Release/better_sqlite3.node', 'onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node', 'onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1']) {
      expect(fs.existsSync(path.join(unpacked, f)), f).toBe(true);
    }
    expect(walk(path.join(unpacked, '@img')).some((f) => f.endsWith('.node'))).toBe(true);
    expect(fs.existsSync(path.join(unpacked, 'onnxruntime-node/bin/napi-v6/win32'))).toBe(false);
    for (const tool of ['ffmpeg', 'ffprobe']) {
      const bin = path.join(unpacked, `@${tool}-installer`, 'linux-x64', tool);
      expect(fs.statSync(bin).mode & 0o100, `${bin} executable`).not.toBe(0);
    }
  });

  it('packs the bundles, renderer and dependencies into app.asar, without sources or maps', () => {
    const asar = require('@electron/asar') as { listPackage(p: string): string[] };
    const list = asar.listPackage(path.join(appOut, 'resources', 'app.asar')).map((p) => p.replaceAll('\\', '/'));
    for (const b of [...Object.values(BUNDLES), `${RENDERER_DIR}/index.html`, 'package.json']) expect(list, b).toContain(`/${b}`);
    for (const dep of Object.keys(pkg.dependencies)) expect(list, dep).toContain(`/node_modules/${dep}/package.json`);
    expect(list.filter((p) => p.endsWith('.map') && p.startsWith('/out'))).toEqual([]);
    expect(list.some((p) => p.startsWith('/electron'))).toBe(false);
    expect(list.some((p) => p.startsWith('/node_modules/electron/') || p.startsWith('/node_modules/vitest/'))).toBe(false);
  });
});
