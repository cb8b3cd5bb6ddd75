/**
 * CLIP's VisionTransformer (as in Chinese-CLIP's ViT-B/16 image tower): patch Conv, class token,
 * positional embedding, ln_pre, pre-LN residual blocks with QuickGELU, ln_post on the class token,
 * projection. Random weights; the point is the official graph's shape and cost.
 */
import { GraphBuilder, Rng } from './onnx-builder.ts';
import { INIT_STD, attention, layerNorm, linear, quickGelu, token, type Ctx } from './layers.ts';

export interface VitSpec {
  resolution: number;
  patch: number;
  width: number;
  layers: number;
  heads: number;
  outDim: number;
}

export const VIT_B_16: VitSpec = { resolution: 224, patch: 16, width: 768, layers: 12, heads: 12, outDim: 512 };

export function buildVit(spec: VitSpec, seed: number): GraphBuilder {
  const g = new GraphBuilder('vit_image');
  const c: Ctx = { g, rng: new Rng(seed) };
  const { resolution: R, patch: P, width: W } = spec;
  const grid = R / P;
  const len = grid * grid + 1;
  g.input('image', 'float32', [1, 3, R, R]);

  const patches = g.node1('Conv', ['image', g.init('conv1', c.rng.normal(W * 3 * P * P, INIT_STD), [W, 3, P, P])], {
    kernel_shape: [P, P],
    strides: [P, P],
  }); // [1, W, grid, grid]
  const seq = g.node1('Transpose', [g.node1('Reshape', [patches, g.ints('shape', [1, W, grid * grid])])], { perm: [0, 2, 1] });
  const cls = g.init('class_embedding', c.rng.normal(W, INIT_STD), [1, 1, W]);
  let x = g.node1('Concat', [cls, seq], { axis: 1 }); // [1, len, W]
  x = g.node1('Add', [x, g.init('positional_embedding', c.rng.normal(len * W, INIT_STD), [len, W])]);
  x = layerNorm(c, x, W);

  for (let i = 0; i < spec.layers; i++) {
    x = g.node1('Add', [x, attention(c, layerNorm(c, x, W), len, W, spec.heads)]);
    const h = linear(c, quickGelu(c, linear(c, layerNorm(c, x, W), W, 4 * W)), 4 * W, W);
    x = g.node1('Add', [x, h]);
  }

  const pooled = layerNorm(c, token(c, x, 0), W); // [1, W]
  g.node('MatMul', [pooled, g.init('proj', c.rng.normal(W * spec.outDim, INIT_STD), [W, spec.outDim])], ['unnorm_image_features']);
  g.output('unnorm_image_features', 'float32', [1, spec.outDim]);
  return g;
}
