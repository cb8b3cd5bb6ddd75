import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerModelsCommands, type ModelsCommandHooks } from '../../electron/cli/commands/models.ts';
import { readSettings } from '../../electron/engine/settings/settings-file.ts';
import { fixtureModel, startHub, type FixtureHub } from './models-fixture-hub.ts';

let tmp: string;
let hub: FixtureHub;
const paths = { modelsDir: () => path.join(tmp, 'models'), configFile: () => path.join(tmp, 'config.json') };

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-cli-'));
  hub = await startHub();
});

afterEach(async () => {
  await hub.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs `shiguang models …` in-process and returns what it printed. */
async function cli(args: string[], hooks: ModelsCommandHooks = {}): Promise<{ out: string; err: string; code: number }> {
  const program = new Command().exitOverride();
  registerModelsCommands(program, paths, hooks);
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'shiguang', 'models', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, err, code };
}

describe('shiguang models', () => {
  it('lists the real catalogue with the export route where nothing is hosted', async () => {
    const { out, code } = await cli(['list']);
    expect(code).toBe(0);
    expect(out).toMatch(/cn-clip-vit-b-16 \(default\)\s+188M\s+512\s+224\s+fast\s+52\.1\s+62\.7\s+—\s+download fp32\/fp16/);
    expect(out).toContain('--model-arch RN50');
    expect(out).toContain('--model-arch ViT-H-14');
  });

  it('downloads, activates, lists and removes a model end to end', async () => {
    const model = fixtureModel({ id: 'cn-clip-vit-b-16', fileArch: 'vit-b-16' });
    model.serve(hub, '/a');
    const hooks: ModelsCommandHooks = { catalogue: () => model.catalogue };

    const dl = await cli(['download', 'cn-clip-vit-b-16', '--source', `hf:${hub.url}/a`], hooks);
    expect(dl.err).not.toContain('error:');
    expect(dl.code).toBe(0);
    expect(dl.out).toContain('installed cn-clip-vit-b-16 (fp32)');

    expect((await cli(['use', 'cn-clip-vit-b-16'], hooks)).out).toContain('active model: cn-clip-vit-b-16');
    expect(readSettings(paths.configFile()).activeModel).toBe('cn-clip-vit-b-16');

    const listed = JSON.parse((await cli(['list', '--json'], hooks)).out) as { models: Array<Record<string, unknown>> };
    expect(listed.models[0]).toMatchObject({ id: 'cn-clip-vit-b-16', installed: true, active: true, installedPrecision: 'fp32', downloadable: ['fp32'] });

    const again = await cli(['download', 'cn-clip-vit-b-16', '--source', `hf:${hub.url}/a`], hooks);
    expect(again.out).toContain('already installed');

    const fp16 = await cli(['download', 'cn-clip-vit-b-16', '--precision', 'fp16'], hooks);
    expect(fp16.code).toBe(1);
    expect(fp16.err).toContain('error: no hosted ONNX of cn-clip-vit-b-16 in fp16');

    expect((await cli(['remove', 'cn-clip-vit-b-16'], hooks)).out).toContain('removed cn-clip-vit-b-16');
    expect(readSettings(paths.configFile()).activeModel).toBeUndefined();
    expect(fs.readdirSync(paths.modelsDir())).toEqual([]);
  });

  it('reports a failed download on stderr with exit code 1', async () => {
    const model = fixtureModel({ id: 'cn-clip-vit-b-16', fileArch: 'vit-b-16' });
    const r = await cli(['download', 'cn-clip-vit-b-16', '--source', `hf:${hub.url}/empty`], { catalogue: () => model.catalogue });
    expect(r.code).toBe(1);
    // What failed and what to try first (shared/download-messages.ts), then the engine's account.
    expect(r.err).toMatch(/^error: .+ does not have this model file \(HTTP 404\)\. Choose another download source/);
    expect(r.err).toMatch(/\ncould not download vit-b-16\.img\.fp32\.onnx .*\n.*404 Not Found/);
  });

  it('shows the source order, honouring SHIGUANG_MODEL_SOURCES over the config', async () => {
    fs.writeFileSync(paths.configFile(), JSON.stringify({ modelSources: ['modelscope'] }));
    const saved = process.env.SHIGUANG_MODEL_SOURCES;
    try {
      delete process.env.SHIGUANG_MODEL_SOURCES;
      expect((await cli(['sources'])).out).toBe('1. modelscope (https://www.modelscope.cn)\n');
      process.env.SHIGUANG_MODEL_SOURCES = 'hf-mirror,http://nas.local/models';
      expect(JSON.parse((await cli(['sources', '--json'])).out)).toEqual([
        { name: 'hf-mirror', base: 'https://hf-mirror.com', hub: 'huggingface' },
        { name: 'http://nas.local/models', base: 'http://nas.local/models', hub: 'plain' },
      ]);
    } finally {
      if (saved === undefined) delete process.env.SHIGUANG_MODEL_SOURCES;
      else process.env.SHIGUANG_MODEL_SOURCES = saved;
    }
  });
});
