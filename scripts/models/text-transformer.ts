/**
 * Chinese-CLIP's text tower as the official script exports it (constant folding on, batch 1, see
 * ./layers.ts): a BERT/RoBERTa-wwm encoder (word + position + token-type embeddings, LayerNorm,
 * post-LN layers with exact GELU), the padding mask computed from the ids (ids != 0, then
 * (1 - mask) · -10000), the [CLS] vector (position 0) times text_projection. The context length is
 * baked into Constants as the tracer folds them: position ids [L] expanded to Shape(text), token
 * types zeros [1, L], every Reshape shape. Random weights; official graph form and cost.
 */
import { GraphBuilder, Rng } from './onnx-builder.ts';
import { INIT_STD, TORCH_EXPORT, gelu, layerNorm, linearFolded, type Ctx } from './layers.ts';

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
  const g = new GraphBuilder('bert_text', TORCH_EXPORT);
  const c: Ctx = { g, rng: new Rng(seed) };
  const { width: W, contextLength: L, heads: H } = spec;
  const headDim = W / H;
  const eps = 1e-12; // BERT's LayerNorm epsilon
  g.input('text', 'int64', [1, L]);

  // encode_text: attn_mask = text.ne([PAD]); BertModel: (1 - mask[:, None, None, :]) · -10000.
  const real = g.node1('Cast', [g.node1('Not', [g.node1('Equal', ['text', g.constInts('pad', [0], [])])])], { to: 1 });
  const ext = g.node1('Cast', [g.node1('Unsqueeze', [g.node1('Unsqueeze', [real, g.constInts('axes', [1])]), g.constInts('axes', [2])])], { to: 1 });
  const mask = g.node1('Mul', [g.node1('Sub', [g.constFloat('one', 1), ext]), g.constFloat('neg', -10000)]); // [1,1,1,L]

  const wordTable = g.init('bert.embeddings.word_embeddings.weight', c.rng.normal(spec.vocabSize * W, INIT_STD), [spec.vocabSize, W]);
  const posTable = g.init('bert.embeddings.position_embeddings.weight', c.rng.normal(spec.maxPositions * W, INIT_STD), [spec.maxPositions, W]);
  const typeTable = g.init('bert.embeddings.token_type_embeddings.weight', c.rng.normal(2 * W, INIT_STD), [2, W]);
  const positionIds = g.node1('Expand', [g.constInts('position_ids', Array.from({ length: L }, (_, i) => i)), g.node1('Shape', ['text'])]);
  const tokenTypes = g.constInts('token_type_ids', new Array<number>(L).fill(0), [1, L]);
  const words = g.node1('Gather', [wordTable, 'text']);
  const positions = g.node1('Gather', [posTable, positionIds]);
  const types = g.node1('Gather', [typeTable, tokenTypes]);
  let x = layerNorm(c, g.node1('Add', [g.node1('Add', [words, positions]), types]), W, eps).y;

  for (let i = 0; i < spec.layers; i++) {
    const heads = (t: string): string => g.node1('Reshape', [t, g.constInts('shape', [1, L, H, headDim])]);
    const q = g.node1('Transpose', [heads(linearFolded(c, x, W, W))], { perm: [0, 2, 1, 3] });
    const k = heads(linearFolded(c, x, W, W));
    const v = g.node1('Transpose', [heads(linearFolded(c, x, W, W))], { perm: [0, 2, 1, 3] });
    const scores = g.node1('Div', [g.node1('MatMul', [q, g.node1('Transpose', [k], { perm: [0, 2, 3, 1] })]), g.constFloat('sqrt_dh', Math.sqrt(headDim))]);
    const probs = g.node1('Softmax', [g.node1('Add', [scores, mask])], { axis: -1 });
    const ctx = g.node1('Transpose', [g.node1('MatMul', [probs, v])], { perm: [0, 2, 1, 3] });
    const merged = g.node1('Reshape', [ctx, g.constInts('shape', [1, L, W])]);
    x = layerNorm(c, g.node1('Add', [linearFolded(c, merged, W, W), x]), W, eps).y;
    const h = linearFolded(c, gelu(c, linearFolded(c, x, W, 4 * W)), 4 * W, W);
    x = layerNorm(c, g.node1('Add', [h, x]), W, eps).y;
  }

  const cls = g.node1('Gather', [g.node1('Cast', [x], { to: 1 }), g.constInts('cls', [0], [])], { axis: 1 }); // [1, W]
  g.node('MatMul', [cls, g.init('text_projection', c.rng.normal(W * spec.outDim, INIT_STD), [W, spec.outDim])], ['unnorm_text_features']);
  g.output('unnorm_text_features', 'float32', [1, spec.outDim]);
  return g;
}
