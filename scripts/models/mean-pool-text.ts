/**
 * A text tower whose vector depends on the padding: it averages the token embeddings over all 52
 * positions instead of reading [CLS] under an attention mask. The short-sequence proof must reject
 * it (tests of ml/quantize/parity.ts and of the model manager's install step).
 */
import { GraphBuilder, Rng } from './onnx-builder.ts';

/** Writes the graph (official text contract: `text` int64 [1, 52] → `unnorm_text_features` [1, 8]) to `file`. */
export async function writeMeanPoolTextGraph(file: string): Promise<void> {
  const g = new GraphBuilder('mean_pool', { opset: 13, irVersion: 7 });
  g.input('text', 'int64', [1, 52]);
  const emb = g.node1('Gather', [g.init('emb', new Rng(3).normal(21128 * 8, 1), [21128, 8]), 'text']);
  const mean = g.node1('ReduceMean', [emb], { axes: [1], keepdims: 0 });
  g.node('MatMul', [mean, g.init('proj', new Rng(4).normal(64, 1), [8, 8])], ['unnorm_text_features']);
  g.output('unnorm_text_features', 'float32', [1, 8]);
  await g.save(file, { externalData: true });
}
