/**
 * Benchmark models: random weights with the official Chinese-CLIP graphs' shapes and cost
 * (ViT-B/16 + RoBERTa-base, RN50 + RBT3), fixed batch 1, weights as external data in
 * `<graph>.extra_file` like the official export. For timing the engine, never for quality.
 * `npm run models:bench -- OUTDIR [vit-b-16|rn50 ...]` (default .cache/bench-models, both).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GraphBuilder } from './onnx-builder.ts';
import { RN50, buildModifiedResNet } from './resnet.ts';
import { RBT3, ROBERTA_BASE, buildTextTower } from './text-transformer.ts';
import { VIT_B_16, buildVit } from './vit.ts';
import { officialContractManifest, writeManifest } from './write-manifest.ts';

export type BenchModel = 'vit-b-16' | 'rn50';

interface BenchDef {
  id: string;
  architecture: string;
  dim: number;
  image: () => GraphBuilder;
  text: () => GraphBuilder;
}

export const BENCH_MODELS: Record<BenchModel, BenchDef> = {
  'vit-b-16': {
    id: 'bench-vit-b-16',
    architecture: 'ViT-B-16',
    dim: 512,
    image: () => buildVit(VIT_B_16, 1601),
    text: () => buildTextTower(ROBERTA_BASE(512), 1602),
  },
  rn50: {
    id: 'bench-rn50',
    architecture: 'RN50',
    dim: 1024,
    image: () => buildModifiedResNet(RN50, 5001),
    text: () => buildTextTower(RBT3(1024), 5002),
  },
};

export async function generateBenchModel(outDir: string, which: BenchModel): Promise<void> {
  const def = BENCH_MODELS[which];
  const dir = path.join(outDir, which);
  const imgFile = `${which}.img.fp32.onnx`;
  const txtFile = `${which}.txt.fp32.onnx`;
  // One tower at a time: each holds a few hundred MB of weights until saved.
  await def.image().save(path.join(dir, imgFile), { externalData: true });
  await def.text().save(path.join(dir, txtFile), { externalData: true });
  await writeManifest(
    dir,
    officialContractManifest({
      id: def.id,
      name: `Benchmark ${def.architecture} (random weights, official shapes)`,
      architecture: def.architecture,
      embeddingDim: def.dim,
      resolution: 224,
      stem: which,
      imageBatch: 'fixed',
      source: 'scripts/models/generate-bench-models.ts (seeded random weights; for benchmarks only)',
    }),
  );
}

export async function generateBenchModels(outDir: string, which: BenchModel[] = ['vit-b-16', 'rn50']): Promise<void> {
  for (const m of which) await generateBenchModel(outDir, m);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [out = '.cache/bench-models', ...names] = process.argv.slice(2);
  const bad = names.filter((n) => !(n in BENCH_MODELS));
  if (bad.length) {
    console.error(`unknown bench model(s): ${bad.join(', ')} (known: ${Object.keys(BENCH_MODELS).join(', ')})`);
    process.exit(2);
  }
  const dir = path.resolve(out);
  generateBenchModels(dir, names.length ? (names as BenchModel[]) : undefined).then(
    () => console.log(`bench models written to ${dir}`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
