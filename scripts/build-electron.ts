/**
 * Bundles the Electron side with esbuild into out/:
 *   out/main/index.js           main process (ESM; package.json is "type": "module")
 *   out/main/engine-process.js  engine utility process entry (ESM)
 *   out/main/encoder-worker.js  ONNX worker thread; tower-worker.ts finds it beside the engine bundle
 *   out/main/ocr-worker.js      OCR worker thread; ml/ocr/ocr-worker-client.ts finds it the same way
 *   out/preload/index.cjs       preload (CommonJS: a sandboxed preload cannot be an ES module)
 *
 * Runtime dependencies stay external: they ship in node_modules, native ones unpacked from asar
 * (electron-builder.yml), and bundling native addons or their loaders would break them.
 *
 * Usage: tsx scripts/build-electron.ts [--out DIR] [--minify]
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Entry {
  in: string;
  out: string;
  format: 'esm' | 'cjs';
}

/** Every separately loaded JS file. A new worker entry in the engine must be added here. */
export const ENTRIES: readonly Entry[] = [
  { in: 'electron/main/index.ts', out: 'main/index.js', format: 'esm' },
  { in: 'electron/main/engine-process.ts', out: 'main/engine-process.js', format: 'esm' },
  { in: 'electron/engine/ml/encoder-worker.ts', out: 'main/encoder-worker.js', format: 'esm' },
  { in: 'electron/engine/ml/ocr/ocr-worker.ts', out: 'main/ocr-worker.js', format: 'esm' },
  { in: 'electron/engine/ml/quantize/graph-worker.ts', out: 'main/graph-worker.js', format: 'esm' },
  { in: 'electron/preload/index.ts', out: 'preload/index.cjs', format: 'cjs' },
];

/** Packages resolved at run time from node_modules instead of being bundled. */
export function externals(root = ROOT): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const deps = Object.keys(pkg.dependencies ?? {});
  // `name/*` keeps deep imports (e.g. onnxruntime-node/package.json) external too.
  return ['electron', ...deps, ...deps.map((d) => `${d}/*`)];
}

export interface BuildResult {
  outDir: string;
  files: string[];
}

export async function buildElectron(opts: { outDir?: string; minify?: boolean; root?: string } = {}): Promise<BuildResult> {
  const root = opts.root ?? ROOT;
  const outDir = path.resolve(root, opts.outDir ?? 'out');
  const external = externals(root);
  const files: string[] = [];
  for (const e of ENTRIES) {
    const outfile = path.join(outDir, e.out);
    const options: BuildOptions = {
      absWorkingDir: root,
      entryPoints: [path.join(root, e.in)],
      outfile,
      bundle: true,
      platform: 'node',
      // Electron 41 ships Node 24; node20 keeps the output runnable by the test suite's Node too.
      target: 'node20',
      format: e.format,
      // The preload runs in a sandbox whose require() only knows 'electron' and a few builtins:
      // everything else must be inside the bundle.
      external: e.format === 'cjs' ? ['electron'] : external,
      sourcemap: 'linked',
      minify: opts.minify ?? false,
      legalComments: 'none',
      logLevel: 'warning',
    };
    await build(options);
    files.push(outfile);
  }
  checkPreload(path.join(outDir, 'preload/index.cjs'));
  return { outDir, files };
}

/** A sandboxed preload can only require these; anything else fails at window load. */
const SANDBOX_REQUIRABLE = new Set(['electron', 'events', 'timers', 'url', 'node:events', 'node:timers', 'node:url']);

export function preloadRequires(code: string): string[] {
  return [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
}

function checkPreload(file: string): void {
  const bad = preloadRequires(fs.readFileSync(file, 'utf8')).filter((r) => !SANDBOX_REQUIRABLE.has(r));
  if (bad.length) throw new Error(`preload bundle requires modules a sandboxed preload cannot load: ${bad.join(', ')}`);
}

/** Node builtins, for checks that a bundle imports only builtins, electron and dependencies. */
export const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const r = await buildElectron({ outDir: outIdx >= 0 ? args[outIdx + 1] : undefined, minify: args.includes('--minify') });
  console.log(`built ${r.files.map((f) => path.relative(ROOT, f)).join(', ')}`);
}
