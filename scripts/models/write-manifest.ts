/** Writes a model's manifest.json, validated by the engine's own schema so generated models can't drift from it. */
import fs from 'node:fs';
import path from 'node:path';
import { CLIP_MEAN, CLIP_STD, parseManifest, type ModelManifest } from '../../electron/engine/ml/manifest.ts';

export async function writeManifest(dir: string, manifest: unknown): Promise<ModelManifest> {
  const file = path.join(dir, 'manifest.json');
  const parsed = parseManifest(manifest, file);
  await fs.promises.mkdir(dir, { recursive: true });
  // Write what was given (not the defaults-filled parse) so the file stays as authored.
  await fs.promises.writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return parsed;
}

export interface OfficialContractModel {
  id: string;
  name: string;
  architecture: string;
  embeddingDim: number;
  resolution: number;
  /** File name prefix: `<stem>.img.fp32.onnx` and `<stem>.txt.fp32.onnx`. */
  stem: string;
  imageBatch: 'fixed' | 'dynamic';
  source: string;
}

/**
 * The manifest of a generated fp32 model in the official Chinese-CLIP export contract
 * (`image` float32 → `unnorm_image_features`, `text` int64 [1,52] → `unnorm_text_features`,
 * CLIP mean/std, bicubic, text batch fixed at 1): the one place the generators spell it out.
 */
export function officialContractManifest(m: OfficialContractModel): Record<string, unknown> {
  return {
    id: m.id,
    name: m.name,
    architecture: m.architecture,
    embeddingDim: m.embeddingDim,
    logitScale: 100,
    precision: 'fp32',
    image: {
      file: `${m.stem}.img.fp32.onnx`,
      input: 'image',
      output: 'unnorm_image_features',
      inputDtype: 'float32',
      resolution: m.resolution,
      mean: CLIP_MEAN,
      std: CLIP_STD,
      resize: 'bicubic',
      batch: m.imageBatch,
    },
    text: {
      file: `${m.stem}.txt.fp32.onnx`,
      input: 'text',
      output: 'unnorm_text_features',
      inputDtype: 'int64',
      contextLength: 52,
      vocabSize: 21128,
      batch: 'fixed',
    },
    source: m.source,
  };
}
