import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSettings, updateSettings } from '../../electron/engine/settings/settings-file.ts';
import { ModelError } from '../../electron/engine/models/errors.ts';
import { activeModelId, importModel, listInstalled, removeModel, useModel } from '../../electron/engine/models/install.ts';
import { CLIP_MEAN, CLIP_STD } from '../../electron/engine/ml/manifest.ts';
import { rejectionOf } from '../support/rejection.ts';

let tmp: string;
let modelsDir: string;
let exportDir: string;
let configFile: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-install-'));
  modelsDir = path.join(tmp, 'data', 'models');
  exportDir = path.join(tmp, 'deploy');
  configFile = path.join(tmp, 'data', 'config.json');
  fs.mkdirSync(exportDir, { recursive: true });
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const put = (name: string, content = name): void => fs.writeFileSync(path.join(exportDir, name), content);

const failure = (p: Promise<unknown>): Promise<ModelError> => rejectionOf(p, ModelError);

describe('importModel', () => {
  it('recognises an official export and takes the fp32 graphs by default', async () => {
    for (const f of ['vit-b-16.img.fp32.onnx', 'vit-b-16.txt.fp32.onnx', 'vit-b-16.img.fp16.onnx', 'vit-b-16.img.fp16.onnx.extra_file', 'vit-b-16.txt.fp16.onnx', 'vit-b-16.txt.fp16.onnx.extra_file']) put(f);
    const m = await importModel(exportDir, modelsDir);
    expect(m.id).toBe('cn-clip-vit-b-16');
    expect(m.manifest).toMatchObject({ embeddingDim: 512, precision: 'fp32', image: { file: 'vit-b-16.img.fp32.onnx', resolution: 224 } });
    expect(fs.readdirSync(m.dir).sort()).toEqual(['install.json', 'manifest.json', 'vit-b-16.img.fp32.onnx', 'vit-b-16.txt.fp32.onnx']);
    expect(fs.readFileSync(path.join(m.dir, 'vit-b-16.img.fp32.onnx'), 'utf8')).toBe('vit-b-16.img.fp32.onnx');
    expect(fs.existsSync(path.join(modelsDir, '.partial'))).toBe(false);
  });

  it('brings external data along with fp16 graphs', async () => {
    for (const f of ['vit-b-16.img.fp16.onnx', 'vit-b-16.img.fp16.onnx.extra_file', 'vit-b-16.txt.fp16.onnx', 'vit-b-16.txt.fp16.onnx.extra_file']) put(f);
    const m = await importModel(exportDir, modelsDir, { precision: 'fp16' });
    expect(m.manifest?.precision).toBe('fp16');
    expect(fs.readdirSync(m.dir).filter((f) => f.endsWith('.extra_file')).sort()).toEqual(['vit-b-16.img.fp16.onnx.extra_file', 'vit-b-16.txt.fp16.onnx.extra_file']);
  });

  it('accepts mirror spellings like Vit-L-14.img.fp32.onnx under the canonical name', async () => {
    put('Vit-L-14.img.fp32.onnx');
    put('Vit-L-14.txt.fp32.onnx');
    const m = await importModel(exportDir, modelsDir);
    expect(m.id).toBe('cn-clip-vit-l-14');
    expect(m.manifest?.embeddingDim).toBe(768);
    expect(fs.existsSync(path.join(m.dir, 'vit-l-14.img.fp32.onnx'))).toBe(true);
  });

  it('asks which size to take when a directory holds several', async () => {
    for (const f of ['rn50.img.fp32.onnx', 'rn50.txt.fp32.onnx', 'vit-h-14.img.fp32.onnx', 'vit-h-14.img.fp32.onnx.extra_file', 'vit-h-14.txt.fp32.onnx']) put(f);
    const err = await failure(importModel(exportDir, modelsDir));
    expect(err.message).toMatch(/several sizes \(rn50, vit-h-14\).*--arch/);
    const m = await importModel(exportDir, modelsDir, { arch: 'ViT-H-14' });
    expect(m.id).toBe('cn-clip-vit-h-14');
    expect(fs.existsSync(path.join(m.dir, 'vit-h-14.img.fp32.onnx.extra_file'))).toBe(true);
  });

  it('rejects an export missing one tower, installing nothing', async () => {
    put('vit-b-16.img.fp32.onnx');
    const err = await failure(importModel(exportDir, modelsDir));
    expect(err.message).toContain('lacks its text graph');
    expect(listInstalled(modelsDir)).toEqual([]);
  });

  it('imports a directory with its own manifest, running the validation hook before it is visible', async () => {
    put('v.onnx');
    put('v.onnx_data');
    put('t.onnx');
    put('unrelated.txt');
    const manifest = {
      id: 'my-clip',
      name: 'mine',
      architecture: 'custom',
      embeddingDim: 8,
      image: { file: 'v.onnx', input: 'pixel_values', output: 'image_embeds', resolution: 224, mean: CLIP_MEAN, std: CLIP_STD },
      text: { file: 't.onnx', input: 'input_ids', output: 'text_embeds', contextLength: 52, attentionMaskInput: 'attention_mask' },
    };
    fs.writeFileSync(path.join(exportDir, 'manifest.json'), JSON.stringify(manifest));
    const calls: string[] = [];
    const m = await importModel(exportDir, modelsDir, {
      validate: async (dir) => {
        calls.push(dir);
        expect(listInstalled(modelsDir)).toEqual([]);
        expect(fs.existsSync(path.join(dir, 'v.onnx_data'))).toBe(true);
      },
    });
    expect(calls).toHaveLength(1);
    expect(m.id).toBe('my-clip');
    expect(fs.readdirSync(m.dir).sort()).toEqual(['install.json', 'manifest.json', 't.onnx', 'v.onnx', 'v.onnx_data']);
  });

  it('installs nothing when validation fails', async () => {
    put('vit-b-16.img.fp32.onnx');
    put('vit-b-16.txt.fp32.onnx');
    const err = await failure(importModel(exportDir, modelsDir, { validate: async () => Promise.reject(new Error('Protobuf parsing failed')) }));
    expect(err.code).toBe('INVALID_MODEL');
    expect(err.message).toContain('Protobuf parsing failed');
    expect(fs.readdirSync(modelsDir)).toEqual([]);
  });

  it('refuses to overwrite an installed model unless asked', async () => {
    put('vit-b-16.img.fp32.onnx');
    put('vit-b-16.txt.fp32.onnx');
    await importModel(exportDir, modelsDir);
    expect((await failure(importModel(exportDir, modelsDir))).code).toBe('ALREADY_INSTALLED');
    put('vit-b-16.img.fp32.onnx', 'new bytes');
    const m = await importModel(exportDir, modelsDir, { replace: true });
    expect(fs.readFileSync(path.join(m.dir, 'vit-b-16.img.fp32.onnx'), 'utf8')).toBe('new bytes');
  });
});

describe('installed models and the active one', () => {
  it('lists models, skipping staging and flagging broken directories', async () => {
    put('rn50.img.fp32.onnx');
    put('rn50.txt.fp32.onnx');
    await importModel(exportDir, modelsDir);
    fs.mkdirSync(path.join(modelsDir, '.partial', 'cn-clip-vit-b-16-fp32'), { recursive: true });
    fs.mkdirSync(path.join(modelsDir, 'broken'));
    const list = listInstalled(modelsDir);
    expect(list.map((m) => m.id)).toEqual(['broken', 'cn-clip-rn50']);
    expect(list[0].error).toBeTruthy();
    expect(list[1].error).toBeUndefined();
    expect(list[1].manifest?.embeddingDim).toBe(1024);
  });

  it('writes the active model into the config, keeping other keys, and clears it on remove', async () => {
    put('vit-b-16.img.fp32.onnx');
    put('vit-b-16.txt.fp32.onnx');
    await importModel(exportDir, modelsDir);
    await updateSettings(configFile, { modelSources: ['hf-mirror'] });
    fs.writeFileSync(configFile, JSON.stringify({ ...readSettings(configFile), theme: 'dark' }));

    await useModel('cn-clip-vit-b-16', { modelsDir });
    expect(readSettings(configFile)).toEqual({ modelSources: ['hf-mirror'], theme: 'dark', activeModel: 'cn-clip-vit-b-16' });
    expect(activeModelId(configFile, 'fallback')).toBe('cn-clip-vit-b-16');

    await removeModel('cn-clip-vit-b-16', modelsDir);
    expect(listInstalled(modelsDir)).toEqual([]);
    expect(readSettings(configFile)).toEqual({ modelSources: ['hf-mirror'], theme: 'dark' });
    expect(activeModelId(configFile, 'fallback')).toBe('fallback');
  });

  it('refuses to activate or remove what is not installed', async () => {
    expect((await failure(useModel('cn-clip-vit-h-14', { modelsDir, configFile }))).code).toBe('NOT_INSTALLED');
    expect((await failure(removeModel('cn-clip-vit-h-14', modelsDir))).code).toBe('NOT_INSTALLED');
    expect((await failure(removeModel('../etc', modelsDir))).code).toBe('NOT_INSTALLED');
    expect(fs.existsSync(configFile)).toBe(false);
  });
});
