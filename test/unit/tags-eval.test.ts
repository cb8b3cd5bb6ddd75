import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateZeroShot, loadClassNames, loadPromptTemplates } from '../../electron/engine/tags/eval.ts';
import { axis, COLOURS, ColourEmbedder, mix } from './tags-fakes.ts';

const classNames = COLOURS.map((c) => `${c}色`);
const templates = ['{c}的照片', '一张{c}的照片'];

describe('zero-shot evaluation', () => {
  it('computes top-1 and top-5 where the answer is known by construction', async () => {
    const images: Float32Array[] = [];
    const labels: number[] = [];
    // 6 images on their own class axis (rank 0) …
    for (let k = 0; k < 6; k++) {
      images.push(axis(k));
      labels.push(k);
    }
    // … 3 whose true class comes second (rank 1: top-5 but not top-1) …
    for (let k = 0; k < 3; k++) {
      images.push(mix([k + 1, 1], [k, 0.5]));
      labels.push(k);
    }
    // … and 1 that points away from its class (below every other class: misses top-5 too).
    images.push(mix([5, 1], [2, -0.3]));
    labels.push(2);

    const result = await evaluateZeroShot({ imageVectors: images, labels, classNames, templates, embedder: new ColourEmbedder() });
    expect(result).toEqual({ top1: 0.6, top5: 0.9, n: 10 });
  });

  it('accepts one row-major matrix of image vectors', async () => {
    const flat = new Float32Array(2 * 16);
    flat.set(axis(3), 0);
    flat.set(axis(8), 16);
    const result = await evaluateZeroShot({ imageVectors: flat, labels: [3, 7], classNames, templates, embedder: new ColourEmbedder() });
    expect(result).toEqual({ top1: 0.5, top5: 0.5, n: 2 });
  });

  it('rejects labels that are not class indices and mismatched counts', async () => {
    const embedder = new ColourEmbedder();
    await expect(evaluateZeroShot({ imageVectors: [axis(0)], labels: [9], classNames, templates, embedder })).rejects.toThrow(/not a class index/);
    await expect(evaluateZeroShot({ imageVectors: [axis(0)], labels: [0, 1], classNames, templates, embedder })).rejects.toThrow(/labels/);
  });

  it('reads the official template families and a label file', () => {
    const official = path.resolve('../shared/cn-clip/prompt_templates.json');
    const openai = loadPromptTemplates(official);
    expect(openai).toContain('{c}的照片');
    expect(openai.every((t) => t.includes('{c}'))).toBe(true);
    expect(() => loadPromptTemplates(official, 'nope')).toThrow(/no template family/);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'labels-')), 'labels.txt');
    fs.writeFileSync(file, '丁鲷\r\n金鱼\n\n大白鲨\n');
    expect(loadClassNames(file)).toEqual(['丁鲷', '金鱼', '大白鲨']);
  });
});
