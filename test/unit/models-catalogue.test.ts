import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  catalogueFile,
  entryForOfficialArch,
  estimateBytes,
  getEntry,
  listCatalogue,
  loadCatalogue,
  manifestForVariant,
  parseCatalogue,
  shippedManifest,
  variantFor,
} from '../../electron/engine/models/catalogue.ts';
import { CLIP_MEAN, CLIP_STD } from '../../electron/engine/ml/manifest.ts';

const raw = JSON.parse(fs.readFileSync(catalogueFile(), 'utf8')) as unknown;

/** Every string that is a URL, with the object holding it (citations themselves excluded). */
function urlsWithOwner(node: unknown, owner: Record<string, unknown> | null = null, key = ''): Array<{ url: string; owner: Record<string, unknown> | null; key: string }> {
  if (typeof node === 'string') return !/citation$/i.test(key) && /https?:\/\//.test(node) ? [{ url: node, owner, key }] : [];
  if (Array.isArray(node)) return node.flatMap((n) => urlsWithOwner(n, owner, key));
  if (node && typeof node === 'object') {
    return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => urlsWithOwner(v, node as Record<string, unknown>, k));
  }
  return [];
}

describe('model catalogue', () => {
  it('lists the five released Chinese-CLIP sizes with their published shapes', () => {
    const byId = Object.fromEntries(listCatalogue().map((m) => [m.id, m]));
    expect(Object.keys(byId).sort()).toEqual(['cn-clip-rn50', 'cn-clip-vit-b-16', 'cn-clip-vit-h-14', 'cn-clip-vit-l-14', 'cn-clip-vit-l-14-336']);
    const shape = (id: string) => {
      const m = byId[id];
      return [m.params.totalM, m.embeddingDim, m.resolution, m.textTower];
    };
    expect(shape('cn-clip-rn50')).toEqual([77, 1024, 224, 'RBT3']);
    expect(shape('cn-clip-vit-b-16')).toEqual([188, 512, 224, 'RoBERTa-wwm-base']);
    expect(shape('cn-clip-vit-l-14')).toEqual([406, 768, 224, 'RoBERTa-wwm-base']);
    expect(shape('cn-clip-vit-l-14-336')).toEqual([407, 768, 336, 'RoBERTa-wwm-base']);
    expect(shape('cn-clip-vit-h-14')).toEqual([958, 1024, 224, 'RoBERTa-wwm-large']);
    expect(loadCatalogue().defaultModel).toBe('cn-clip-vit-b-16');
    expect(listCatalogue().filter((m) => m.isDefault).map((m) => m.id)).toEqual(['cn-clip-vit-b-16']);
  });

  it('gives every URL a citation', () => {
    const urls = urlsWithOwner(raw);
    expect(urls.length).toBeGreaterThan(20);
    const uncited = urls.filter((u) => typeof u.owner?.citation !== 'string' || !(u.owner.citation as string).trim());
    // Export steps hold URLs inside a step list; their owner (exportRoute) carries the citation.
    expect(uncited.map((u) => `${u.key}: ${u.url}`)).toEqual([]);
  });

  it('keeps zero-shot figures monotone in model size, as the paper reports', () => {
    const muge = listCatalogue().map((m) => m.zeroShot.mugeT2iR1);
    expect(muge).toEqual([42.6, 52.1, 56.3, 59.0, 63.0]);
  });

  it('ships a manifest per size that follows the official export contract', () => {
    for (const entry of listCatalogue()) {
      const m = shippedManifest(entry);
      expect(m.id).toBe(entry.id);
      expect(m.embeddingDim).toBe(entry.embeddingDim);
      expect(m.architecture).toBe(entry.officialArch);
      expect(m.logitScale).toBe(100);
      expect(m.image).toMatchObject({
        file: `${entry.fileArch}.img.fp32.onnx`,
        input: 'image',
        output: 'unnorm_image_features',
        resolution: entry.resolution,
        batch: 'fixed',
      });
      expect(m.image.mean).toEqual(CLIP_MEAN);
      expect(m.image.std).toEqual(CLIP_STD);
      expect(m.text).toMatchObject({ file: `${entry.fileArch}.txt.fp32.onnx`, input: 'text', output: 'unnorm_text_features', inputDtype: 'int64', contextLength: 52 });
    }
  });

  it('describes precision variants with every file an export produces', () => {
    const b16 = getEntry('cn-clip-vit-b-16')!;
    const fp16 = variantFor(b16, 'fp16')!;
    expect(fp16.files.map((f) => f.name)).toEqual([
      'vit-b-16.img.fp16.onnx',
      'vit-b-16.img.fp16.onnx.extra_file',
      'vit-b-16.txt.fp16.onnx',
      'vit-b-16.txt.fp16.onnx.extra_file',
    ]);
    const manifest = manifestForVariant(b16, fp16);
    expect(manifest.precision).toBe('fp16');
    expect([manifest.image.file, manifest.text.file]).toEqual(['vit-b-16.img.fp16.onnx', 'vit-b-16.txt.fp16.onnx']);
    // ViT-H-14's fp32 image graph is over 2 GB, so the official script packs it into external data.
    expect(getEntry('cn-clip-vit-h-14')!.exportRoute.produces.fp32).toContain('vit-h-14.img.fp32.onnx.extra_file');
    for (const entry of listCatalogue()) {
      for (const v of entry.downloads) {
        expect(v.files.filter((f) => f.role === 'image')).toHaveLength(1);
        expect(v.files.filter((f) => f.role === 'text')).toHaveLength(1);
      }
    }
  });

  it('says honestly which sizes have no hosted ONNX and how to export them', () => {
    const none = listCatalogue().filter((m) => m.downloads.length === 0).map((m) => m.id);
    expect(none).toEqual(['cn-clip-rn50', 'cn-clip-vit-h-14']);
    for (const id of none) {
      const route = getEntry(id)!.exportRoute;
      expect(route.steps.join('\n')).toContain('pytorch_to_onnx.py');
      expect(route.steps.join('\n')).toContain('models import');
    }
  });

  it('maps official architecture names and file prefixes to entries', () => {
    expect(entryForOfficialArch('ViT-L-14-336')?.id).toBe('cn-clip-vit-l-14-336');
    expect(entryForOfficialArch('vit-l-14')?.id).toBe('cn-clip-vit-l-14');
    expect(entryForOfficialArch('RN50')?.id).toBe('cn-clip-rn50');
    expect(entryForOfficialArch('ViT-B-32')).toBeUndefined();
  });

  it('estimates sizes from the hosting site, else from the parameter count', () => {
    const b16 = getEntry('cn-clip-vit-b-16')!;
    expect(estimateBytes(b16, 'fp32')).toBe(349_000_000 + 411_000_000);
    expect(estimateBytes(getEntry('cn-clip-vit-h-14')!, 'fp16')).toBe(958e6 * 2);
  });

  it('rejects a catalogue whose mirror misses a file', () => {
    const broken = JSON.parse(JSON.stringify(raw)) as { models: Array<{ downloads: Array<{ mirrors: Array<{ paths: Record<string, string> }> }> }> };
    const b16 = broken.models[1];
    delete b16.downloads[0].mirrors[0].paths['vit-b-16.txt.fp32.onnx'];
    expect(() => parseCatalogue(broken, 'test')).toThrow(/lacks vit-b-16\.txt\.fp32\.onnx/);
  });

  it('keeps models/<id>/ directories and catalogue entries in step', () => {
    const dirs = fs
      .readdirSync(path.dirname(catalogueFile()), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name.startsWith('cn-clip-'))
      .map((d) => d.name)
      .sort();
    expect(dirs).toEqual(listCatalogue().map((m) => m.id).sort());
  });
});
