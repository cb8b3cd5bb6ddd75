/**
 * 'mini-clip': a small model (~6 MB) built with the full-size bench towers' code, so it has every
 * pattern of a graph traced by the official export script (see ./layers.ts) — weights reaching
 * MatMul through Transpose and Identity, the packed nn.MultiheadAttention in-projection split by
 * run-time Slices, Gemm with transB=1, a BERT text tower whose context length is baked into
 * Constants, weights in `<graph>.extra_file` — at a size unit tests can quantize and run in
 * milliseconds. Random (seeded) weights; official contract ([1,3,32,32] → 32-d, [1,52] → 32-d).
 */
import path from 'node:path';
import { buildTextTower, ROBERTA_BASE } from './text-transformer.ts';
import { buildVit } from './vit.ts';
import { officialContractManifest, writeManifest } from './write-manifest.ts';

export const MINI_CLIP = {
  image: { resolution: 32, patch: 8, width: 64, layers: 2, heads: 2, outDim: 32, shareWeights: true },
  text: { ...ROBERTA_BASE(32), width: 64, layers: 2, heads: 2 },
};

export async function generateMiniClip(dir: string): Promise<void> {
  await buildVit(MINI_CLIP.image, 0x3141).save(path.join(dir, 'mini.img.fp32.onnx'), { externalData: true });
  await buildTextTower(MINI_CLIP.text, 0x2718).save(path.join(dir, 'mini.txt.fp32.onnx'), { externalData: true });
  await writeManifest(
    dir,
    officialContractManifest({
      id: 'test-mini-clip',
      name: 'Mini CLIP in the official export form (random weights)',
      architecture: 'ViT-mini',
      embeddingDim: 32,
      resolution: 32,
      stem: 'mini',
      imageBatch: 'fixed',
      source: 'scripts/models/mini-clip.ts (seeded random weights; for tests only)',
    }),
  );
}
