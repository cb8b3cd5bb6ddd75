/**
 * Chinese-CLIP's text tower: a BERT/RoBERTa-wwm encoder (word + position + token-type embeddings,
 * LayerNorm, post-LN layers with exact GELU, padding mask from ids != 0), the [CLS] vector
 * (position 0) times text_projection. Random weights; official graph shape and cost.
 */
import { GraphBuilder, Rng } from './onnx-builder.ts';
import { INIT_STD, attention, gelu, layerNorm, linear, token, type Ctx } from './layers.ts';

export interface TextSpec {
  vocabSize: number;
  contextLength: number;
  maxPositions: number;
  width: number;
  layers: number;
  heads: number;
  outDim: number;
}

/** RoBERTa-wwm-ext-base-chinese, the ViT-B/16 text side. */
export const ROBERTA_BASE = (outDim: number): TextSpec => ({
  vocabSize: 21128,
  contextLength: 52,
  maxPositions: 512,
  width: 768,
  layers: 12,
  heads: 12,
  outDim,
});

/** RBT3: the first 3 layers of RoBERTa-wwm-ext, the RN50 text side. */
export const RBT3 = (outDim: number): TextSpec => ({ ...ROBERTA_BASE(outDim), layers: 3 });

export function buildTextTower(spec: TextSpec, seed: number): GraphBuilder {
  const g = new GraphBuilder('bert_text');
  const c: Ctx = { g, rng: new Rng(seed) };
  const { width: W, contextLength: L } = spec;
  const eps = 1e-12; // BERT's LayerNorm epsilon
  g.input('text', 'int64', [1, L]);

  const words = g.node1('Gather', [g.init('word_embeddings', c.rng.normal(spec.vocabSize * W, INIT_STD), [spec.vocabSize, W]), 'text'], { axis: 0 });
  const positions = g.node1('Gather', [
    g.init('position_embeddings', c.rng.normal(spec.maxPositions * W, INIT_STD), [spec.maxPositions, W]),
    g.ints('position_ids', Array.from({ length: L }, (_, i) => i), [1, L]),
  ], { axis: 0 });
  // token_type_ids are all 0: its embedding row is a constant the export folds into one vector.
  const tokenType = g.init('token_type_embedding', c.rng.normal(W, INIT_STD), [W]);
  let x = layerNorm(c, g.node1('Add', [g.node1('Add', [words, positions]), tokenType]), W, eps);

  // Additive mask [1,1,1,L]: 0 where a token is real, -10000 on [PAD] (id 0), as BERT does.
  const isPad = g.node1('Cast', [g.node1('Equal', ['text', g.ints('pad_id', [0], [])])], { to: 1 });
  const mask = g.node1('Reshape', [g.node1('Mul', [isPad, g.scalar('neg', -10000)]), g.ints('mask_shape', [1, 1, 1, L])]);

  for (let i = 0; i < spec.layers; i++) {
    x = layerNorm(c, g.node1('Add', [x, attention(c, x, L, W, spec.heads, { mask })]), W, eps);
    const h = linear(c, gelu(c, linear(c, x, W, 4 * W)), 4 * W, W);
    x = layerNorm(c, g.node1('Add', [x, h]), W, eps);
  }

  const cls = token(c, x, 0); // [1, W]
  g.node('MatMul', [cls, g.init('text_projection', c.rng.normal(W * spec.outDim, INIT_STD), [W, spec.outDim])], ['unnorm_text_features']);
  g.output('unnorm_text_features', 'float32', [1, spec.outDim]);
  return g;
}
