/**
 * `models quantize` as a person runs it (`npm run cli -- models quantize …`), on the mini-clip
 * model in the official export form: an installed model quantized and installed beside it after a
 * check on the library's photos; SRC OUT with --check; refusal below the bound leaves nothing.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../electron/engine/ml/manifest.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const mini = path.join(models, 'mini-clip');

describe('shiguang models quantize', () => {
  let tmp: string;
  let photos: string;
  const cli = (args: string[]): Promise<{ stdout: string; stderr: string }> =>
    run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', path.join(tmp, 'lib.db'), '--threads', '1', ...args], {
      env: { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' },
      maxBuffer: 64 << 20,
    });
  const fails = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    cli(args).then(
      () => ({ code: 0, stdout: '', stderr: 'unexpectedly succeeded' }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-quantize-cli-'));
    photos = path.join(tmp, 'photos');
    await writeColourSet(photos, ['red', 'green', 'blue', 'white'], 2);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('quantizes an installed model after checking it on the library photos, and installs <id>-int8 beside it', async () => {
    await cli(['models', 'import', mini]);
    await cli(['--model', path.join(tmp, 'home', 'models', 'test-mini-clip'), 'index', photos]);
    const { stdout } = await cli(['models', 'quantize', 'test-mini-clip', '--prompts', '40']);
    // mini-clip: 2 ViT blocks (attention fused into QAttention: out-projection, c_fc, c_proj left) and
    // 2 BERT layers (query|key|value as one product, attention output, intermediate, output).
    expect(stdout).toMatch(/int8 weight products: 6 image, 8 text/);
    expect(stdout).toMatch(/image graph: 2 attention blocks fused into QAttention \(int8 in-projection\), patch embedding as an int8 product/);
    // The import already gave the model a proven short-sequence text graph (prepareModelDir).
    expect(stdout).toMatch(/text graph: variable length \(already proven for the source model\)/);
    expect(stdout).toMatch(/fidelity to fp32 on 8 library photos:/);
    expect(stdout).toMatch(/image {2}cosine mean 0\.99\d\d/);
    expect(stdout).toMatch(/bound: mean ≥ 0\.99, min ≥ 0\.95 — passed/);
    expect(stdout).toMatch(/installed test-mini-clip-int8 in /);
    const dir = path.join(tmp, 'home', 'models', 'test-mini-clip-int8');
    const manifest = parseManifest(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')), dir);
    expect(manifest).toMatchObject({ precision: 'int8', text: { variableLength: true } });
    expect(manifest.quantization?.fidelity).toMatchObject({ checkedOn: '8 library photos', images: { count: 8 }, texts: { count: 40 } });
    expect(manifest.quantization!.fidelity!.images.meanCosine).toBeGreaterThan(0.99);
    // The installed int8 model is a model like any other: it answers a search.
    const hits = JSON.parse((await cli(['--model', dir, 'search', '红色', '--json', '--limit', '3'])).stdout) as unknown[];
    expect(hits.length).toBeGreaterThan(0);
    // It shares its source's embedding space: switching to it re-encodes nothing, and no switch
    // is pending afterwards.
    const again = JSON.parse((await cli(['--model', dir, 'index', photos, '--json'])).stdout);
    expect(again).toMatchObject({ encoded: 0, library: { indexed: 8, pending: 0 } });
    const status = JSON.parse((await cli(['--model', dir, 'status', '--json'])).stdout);
    expect(status).toMatchObject({ model: { id: 'test-mini-clip-int8' }, switching: null, counts: { indexed: 8 } });
  }, 180_000);

  it('SRC OUT --check FOLDER writes a model directory that --model loads; --json reports the figures', async () => {
    const out = path.join(tmp, 'mini-int8');
    const result = JSON.parse((await cli(['models', 'quantize', mini, out, '--check', photos, '--prompts', '24', '--json'])).stdout);
    expect(result).toMatchObject({ ok: true, id: 'test-mini-clip-int8', dir: out, variableLength: { passed: true } });
    expect(result.fidelity.texts.minCosine).toBeGreaterThan(0.95);
    expect(result.fidelity.top10Overlap.textToImage).toBeGreaterThan(0.5);
    const info = (await cli(['inspect', 'model', out])).stdout;
    expect(info).toMatch(/int8/);
  }, 120_000);

  it('refuses below the bound and leaves nothing behind; says what to give when SRC is a directory', async () => {
    const out = path.join(tmp, 'refused');
    const refused = await fails(['models', 'quantize', mini, out, '--check', photos, '--prompts', '8', '--min-cos', '1']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/NOT met/);
    expect(refused.stderr).toMatch(/not close enough .* nothing was installed/);
    expect(fs.existsSync(out)).toBe(false);
    const usage = await fails(['models', 'quantize', mini]);
    expect(usage.stderr).toMatch(/is a directory: give an output directory too/);
  }, 120_000);
});
