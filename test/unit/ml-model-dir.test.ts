import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveModelDir } from '../../electron/engine/ml/model-dir.ts';

const dirs: string[] = [];
function exportDir(files: string[]): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-export-'));
  dirs.push(d);
  for (const f of files) fs.writeFileSync(path.join(d, f), '');
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('model directories', () => {
  it('recognises an official export by file names and completes it from the catalogue', () => {
    const d = exportDir(['vit-b-16.img.fp16.onnx', 'vit-b-16.img.fp16.onnx.extra_file', 'vit-b-16.img.fp32.onnx', 'vit-b-16.txt.fp32.onnx']);
    const m = resolveModelDir(d);
    expect(m.recognisedAs).toBe('official-export');
    expect(m.manifest).toMatchObject({ id: 'cn-clip-vit-b-16', embeddingDim: 512, precision: 'fp32' });
    expect(m.manifest.image).toMatchObject({ file: 'vit-b-16.img.fp32.onnx', input: 'image', output: 'unnorm_image_features', resolution: 224 });
    expect(m.manifest.text).toMatchObject({ file: 'vit-b-16.txt.fp32.onnx', input: 'text', output: 'unnorm_text_features', contextLength: 52 });
  });

  it('takes the 336 px manifest for ViT-L/14@336px and marks fp16-only exports', () => {
    const m = resolveModelDir(exportDir(['vit-l-14-336.img.fp16.onnx', 'vit-l-14-336.txt.fp16.onnx']));
    expect(m.manifest).toMatchObject({ id: 'cn-clip-vit-l-14-336', embeddingDim: 768, precision: 'fp16' });
    expect(m.manifest.image.resolution).toBe(336);
  });

  it('explains what is missing', () => {
    expect(() => resolveModelDir(exportDir(['rn50.img.fp32.onnx']))).toThrow(/incomplete: need both rn50\.img\.\*\.onnx and rn50\.txt\.\*\.onnx/);
    expect(() => resolveModelDir(exportDir(['model.onnx']))).toThrow(/no manifest\.json and no official Chinese-CLIP ONNX export.*model\.onnx/);
    expect(() => resolveModelDir('/nonexistent/model')).toThrow(/model directory not found/);
    // Reasons, worded in the person's language by the CLI and the app.
    expect(() => resolveModelDir('/nonexistent/model')).toThrow(expect.objectContaining({ detail: { reason: 'model-dir-missing', path: '/nonexistent/model' } }));
    expect(() => resolveModelDir(exportDir(['model.onnx']))).toThrow(expect.objectContaining({ detail: expect.objectContaining({ reason: 'model-dir-not-a-model' }) }));
  });
});
