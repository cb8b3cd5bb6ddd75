/**
 * CLIP's VisualTransformer (Chinese-CLIP's ViT image towers) as the official script exports it
 * (no constant folding, see ./layers.ts): patch Conv, class token, positional embedding, ln_pre,
 * tokens as [L, 1, W], pre-LN residual blocks of nn.MultiheadAttention + QuickGELU MLP, ln_post on
 * the class token, projection. Random weights; the point is the official graph's form and cost.
 */
import { GraphBuilder, Rng } from './onnx-builder.ts';
import { INIT_STD, TORCH_EXPORT, layerNorm, linearUnfolded, multiheadAttention, quickGelu, tracedShape, type Ctx } from './layers.ts';

export interface VitSpec {
  resolution: number;
  patch: number;
  width: number;
  layers: number;
  heads: number;
  outDim: number;
  /**
   * Blocks after the first reuse block 0's MLP input weight through Identity, the form the
   * exporter gives tied or identical tensors (the small export-pattern test model uses it).
   */
  shareWeights?: boolean;
}

export const VIT_B_16: VitSpec = { resolution: 224, patch: 16, width: 768, layers: 12, heads: 12, outDim: 512 };

export function buildVit(spec: VitSpec, seed: number): GraphBuilder {
  const g = new GraphBuilder('vit_image', TORCH_EXPORT);
  const c: Ctx = { g, rng: new Rng(seed) };
  const { resolution: R, patch: P, width: W } = spec;
  const grid = R / P;
  const len = grid * grid + 1;
  const eps = 1e-5;
  g.input('image', 'float32', [1, 3, R, R]);

  const conv1 = g.init('visual.conv1.weight', c.rng.normal(W * 3 * P * P, INIT_STD), [W, 3, P, P]);
  const patches = g.node1('Conv', [g.node1('Cast', ['image'], { to: 1 }), conv1], {
    dilations: [1, 1],
    group: 1,
    kernel_shape: [P, P],
    pads: [0, 0, 0, 0],
    strides: [P, P],
  }); // [1, W, grid, grid]
  const seq = g.node1('Transpose', [g.node1('Reshape', [patches, tracedShape(g, [1, W, -1])])], { perm: [0, 2, 1] });
  // class_embedding + torch.zeros(1, 1, W): the zeros are traced as a Constant.
  const cls = g.node1('Add', [
    g.node1('Cast', [g.init('visual.class_embedding', c.rng.normal(W, INIT_STD), [W])], { to: 1 }),
    g.constant('zeros', new Float32Array(W), [1, 1, W]),
  ]);
  let x = g.node1('Concat', [cls, seq], { axis: 1 }); // [1, len, W]
  const pos = g.init('visual.positional_embedding', c.rng.normal(len * W, INIT_STD), [len, W]);
  x = g.node1('Add', [x, g.node1('Cast', [pos], { to: 1 })]);
  x = layerNorm(c, x, W, eps, true).y;
  x = g.node1('Transpose', [x], { perm: [1, 0, 2] }); // NLD → LND

  let firstFc: string | undefined;
  for (let i = 0; i < spec.layers; i++) {
    const ln1 = layerNorm(c, x, W, eps, true);
    x = g.node1('Add', [ln1.input, multiheadAttention(c, ln1.y, len, W, spec.heads)[0]]);
    const ln2 = layerNorm(c, x, W, eps, true);
    const [fc, fcWeight] = linearUnfolded(c, ln2.y, W, 4 * W, { shareWeight: spec.shareWeights ? firstFc : undefined });
    firstFc ??= fcWeight;
    const [h] = linearUnfolded(c, quickGelu(c, fc), 4 * W, W);
    x = g.node1('Add', [ln2.input, h]);
  }

  x = g.node1('Transpose', [x], { perm: [1, 0, 2] }); // LND → NLD
  const pooled = layerNorm(c, g.node1('Gather', [x, g.constInts('cls', [0], [])], { axis: 1 }), W, eps, true).y; // [1, W]
  g.node('MatMul', [pooled, g.init('visual.proj', c.rng.normal(W * spec.outDim, INIT_STD), [W, spec.outDim])], ['unnorm_image_features']);
  g.output('unnorm_image_features', 'float32', [1, spec.outDim]);
  return g;
}
