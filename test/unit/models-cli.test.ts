import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerModelsCommands, type ModelsCommandHooks } from '../../electron/cli/commands/models.ts';
import { readSettings } from '../../electron/engine/settings/settings-file.ts';
import { setCliLanguage } from '../../electron/cli/i18n.ts';
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

  describe("in the person's language", () => {
    afterEach(() => setCliLanguage('en'));

    /** The ASCII words of a Chinese message once the values it quotes (paths, ids, flags, file names) are taken out. */
    const english = (text: string, values: string[]): string[] => {
      let rest = text.replace(/^错误：/, '');
      for (const v of [...values].sort((a, b) => b.length - a.length)) rest = rest.split(v).join(' ');
      return (rest.match(/[A-Za-z][A-Za-z0-9_-]*/g) ?? []).filter((w) => !['fp32', 'fp16', 'int8'].includes(w));
    };

    /** A folder as the official export script leaves it (placeholder graphs: without the engine's test encode, files are all an import checks). */
    const exportDir = (name: string, files: string[]): string => {
      const dir = path.join(tmp, name);
      fs.mkdirSync(dir, { recursive: true });
      for (const f of files) fs.writeFileSync(path.join(dir, f), f);
      return dir;
    };

    it('says every refusal of models in Chinese under zh-CN, and in the engine\'s English under en', async () => {
      const good = exportDir('export', ['vit-b-16.img.fp32.onnx', 'vit-b-16.txt.fp32.onnx']);
      const twoSizes = exportDir('two-sizes', ['vit-b-16.img.fp32.onnx', 'rn50.img.fp32.onnx', 'rn50.txt.fp32.onnx']);
      const badManifest = exportDir('bad-manifest', []);
      fs.writeFileSync(path.join(badManifest, 'manifest.json'), '{"id": 1');
      const empty = exportDir('empty', []);
      const missing = path.join(tmp, 'not-there');
      const failsTest: ModelsCommandHooks = { validate: async () => Promise.reject(new Error('Load model failed: protobuf parsing failed')) };
      const cases: { args: string[]; hooks?: ModelsCommandHooks; zh: RegExp; en: RegExp; values: string[] }[] = [
        { args: ['import', missing], zh: /找不到模型文件夹/, en: /not a directory/, values: [missing] },
        { args: ['import', empty], zh: /里没有可用的模型/, en: /no manifest\.json and no official Chinese-CLIP export/, values: [empty, 'manifest.json', 'vit-b-16.img.fp32.onnx', 'vit-b-16.txt.fp32.onnx'] },
        { args: ['import', twoSizes], zh: /有几种规格的导出（rn50, vit-b-16）：请用 --arch 选一种/, en: /several sizes/, values: [twoSizes, '--arch', 'rn50, vit-b-16'] },
        { args: ['import', twoSizes, '--arch', 'vit-b-16'], zh: /缺少 vit-b-16\.txt\.\*\.onnx/, en: /lacks its text graph/, values: [twoSizes, 'vit-b-16.txt.*.onnx'] },
        { args: ['import', badManifest], zh: /不是有效的模型描述文件/, en: /JSON/, values: [path.join(badManifest, 'manifest.json')] },
        { args: ['import', good, '--precision', 'int4'], zh: /--precision 只能是 fp32 或 fp16/, en: /--precision must be fp32 or fp16/, values: ['--precision'] },
        { args: ['import', good], hooks: failsTest, zh: /试运行没有通过，所以没有安装/, en: /failed the test encode: Load model failed/, values: [good] },
        { args: ['remove', 'nothing-here'], zh: /没有安装叫 nothing-here 的模型/, en: /not installed/, values: ['nothing-here'] },
        { args: ['use', 'nothing-here'], zh: /nothing-here 还没有安装/, en: /not installed; download or import it first/, values: ['nothing-here'] },
        { args: ['download', 'nothing-here'], zh: /没有叫 nothing-here 的模型/, en: /unknown model "nothing-here"; known: cn-clip-rn50/, values: ['nothing-here'] },
        { args: ['quantize', 'nothing-here'], zh: /nothing-here 不是已安装的模型/, en: /nothing-here is not an installed model/, values: ['nothing-here', 'models list'] },
        { args: ['quantize', empty, path.join(tmp, 'out')], zh: /里没有可用的模型/, en: /no usable model|official export|manifest/, values: [empty, 'manifest.json', 'vit-b-16.img.*.onnx', 'vit-b-16.txt.*.onnx', 'vit-b-16.img.fp32.onnx', 'vit-b-16.txt.fp32.onnx'] },
      ];
      const installed = await cli(['import', good]);
      expect(installed.code).toBe(0);
      const target = path.join(paths.modelsDir(), 'cn-clip-vit-b-16');
      cases.push({ args: ['import', good], zh: /已经安装在 .+。要替换它，请加上 --replace；或者先运行 models remove cn-clip-vit-b-16/, en: /already installed at .+; use --replace/, values: [target, '--replace', 'models remove cn-clip-vit-b-16'] });

      for (const lang of ['zh-CN', 'en'] as const) {
        setCliLanguage(lang);
        for (const c of cases) {
          const r = await cli(c.args, c.hooks);
          const what = `${lang} models ${c.args.join(' ')}: ${r.err}`;
          expect(r.code, what).toBe(1);
          if (lang === 'zh-CN') {
            expect(r.err, what).toMatch(/^错误：/);
            expect(r.err, what).toMatch(c.zh);
            expect(english(r.err, [...c.values, 'cn-clip-vit-b-16']), what).toEqual([]);
          } else {
            expect(r.err, what).toMatch(c.en);
          }
        }
      }
      // Nothing a refusal touched was installed or changed: the one import stands, no staging is left.
      expect(fs.readdirSync(paths.modelsDir())).toEqual(['cn-clip-vit-b-16']);
    });

    it('says what a download does while it runs in Chinese: a source given up, the next one tried', async () => {
      const model = fixtureModel({ id: 'cn-clip-vit-b-16', fileArch: 'vit-b-16' });
      model.serve(hub, '/good');
      const closed = await startHub();
      await closed.close();
      setCliLanguage('zh-CN');
      const r = await cli(['download', 'cn-clip-vit-b-16', '--source', `hf:${closed.url}/dead`, '--source', `hf:${hub.url}/good`], { catalogue: () => model.catalogue });
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('已安装 cn-clip-vit-b-16（fp32）');
      const notices = r.err.split('\n').filter((l) => l.includes('改用'));
      expect(notices).toHaveLength(2); // once per file
      expect(notices[0]).toBe(`vit-b-16.img.fp32.onnx：${closed.url}/dead 无法连接，改用 ${hub.url}/good`);
      expect(r.err).not.toMatch(/failed|trying|cannot reach/);
    });
  });
});

