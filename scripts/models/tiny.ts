/**
 * 'tiny': a few-KB model with random (seeded) weights whose only job is to be cheap and
 * input-dependent, so engine tests exercise loading, batching and normalisation fast.
 * Image: [batch,3,32,32] → AveragePool 8×8 → 48 values → MatMul, tanh, MatMul → 8-d (dynamic batch).
 * Text: [1,52] ids → Mod 97 (hash into a small table) → Gather → sum over positions → MatMul → 8-d.
 */
import path from 'node:path';
import { GraphBuilder, Rng } from './onnx-builder.ts';
import { officialContractManifest, writeManifest } from './write-manifest.ts';

const DIM = 8;
const RES = 32;
const CONTEXT = 52;
const TABLE = 97; // prime, so consecutive ids spread over the table

export async function generateTiny(dir: string): Promise<void> {
  const rng = new Rng(0x7104);

  const img = new GraphBuilder('tiny_image');
  img.input('image', 'float32', ['batch', 3, RES, RES]);
  const pooled = img.node1('AveragePool', ['image'], { kernel_shape: [8, 8], strides: [8, 8] });
  const flat = img.node1('Flatten', [pooled], { axis: 1 }); // [batch, 48]
  const hidden = img.node1('MatMul', [flat, img.init('w1', rng.normal(48 * 16, 0.3), [48, 16])]);
  // A nonlinearity so the map isn't purely linear (e.g. brightness doesn't just scale the output).
  const act = img.node1('Tanh', [img.node1('Add', [hidden, img.init('b1', rng.normal(16, 0.1), [16])])]);
  img.node('MatMul', [act, img.init('w2', rng.normal(16 * DIM, 0.5), [16, DIM])], ['unnorm_image_features']);
  img.output('unnorm_image_features', 'float32', ['batch', DIM]);
  await img.save(path.join(dir, 'tiny.img.fp32.onnx'));

  const txt = new GraphBuilder('tiny_text');
  txt.input('text', 'int64', [1, CONTEXT]);
  const hashed = txt.node1('Mod', ['text', txt.ints('table_size', [TABLE], [])]);
  const table = rng.normal(TABLE * 16, 1);
  table.fill(0, 0, 16); // [PAD] (id 0) contributes nothing
  const emb = txt.node1('Gather', [txt.init('emb', table, [TABLE, 16]), hashed], { axis: 0 });
  // Sum, not mean: with row 0 (= [PAD]) zeroed, padding adds nothing and short texts still differ.
  const summed = txt.node1('ReduceSum', [emb, txt.ints('axis1', [1])], { keepdims: 0 }); // [1,16]
  txt.node('MatMul', [summed, txt.init('proj', rng.normal(16 * DIM, 0.5), [16, DIM])], ['unnorm_text_features']);
  txt.output('unnorm_text_features', 'float32', [1, DIM]);
  await txt.save(path.join(dir, 'tiny.txt.fp32.onnx'));

  await writeManifest(
    dir,
    officialContractManifest({
      id: 'test-tiny',
      name: 'Tiny test model (random weights)',
      architecture: 'tiny',
      embeddingDim: DIM,
      resolution: RES,
      stem: 'tiny',
      imageBatch: 'dynamic',
      source: 'scripts/models/tiny.ts (seeded random weights; for tests only)',
    }),
  );
}
