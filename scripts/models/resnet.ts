/**
 * OpenAI CLIP's ModifiedResNet (Chinese-CLIP's RN50 image tower): 3-conv stem with avgpool,
 * bottleneck stages whose stride-2 blocks downsample by AvgPool (anti-aliasing) instead of strided
 * convs, and AttentionPool2d: F.multi_head_attention_forward with separate q/k/v weights and one
 * concatenated bias over [mean token, 49 positions], output token 0, as the official script exports
 * it (see ./layers.ts). BatchNorm is folded into conv biases, as the exporter does in eval mode.
 * Random weights.
 */
import { GraphBuilder, Rng } from './onnx-builder.ts';
import { INIT_STD, TORCH_EXPORT, multiheadAttention, tracedShape, type Ctx } from './layers.ts';

export interface ResNetSpec {
  resolution: number;
  layers: [number, number, number, number];
  width: number;
  heads: number;
  outDim: number;
}

export const RN50: ResNetSpec = { resolution: 224, layers: [3, 4, 6, 3], width: 64, heads: 32, outDim: 1024 };

/** Conv + folded BN bias. `gain` < 1 damps the last conv of a residual branch so depth doesn't blow values up. */
function conv(c: Ctx, x: string, cin: number, cout: number, k: number, gain = 1): string {
  const std = gain * Math.sqrt(2 / (cin * k * k)); // He init keeps ReLU activations near unit scale
  const w = c.g.init('conv_w', c.rng.normal(cout * cin * k * k, std), [cout, cin, k, k]);
  const b = c.g.init('conv_b', c.rng.normal(cout, INIT_STD), [cout]);
  const pad = (k - 1) / 2;
  return c.g.node1('Conv', [x, w, b], { kernel_shape: [k, k], pads: [pad, pad, pad, pad] });
}

const relu = (c: Ctx, x: string): string => c.g.node1('Relu', [x]);
const avgPool = (c: Ctx, x: string, s: number): string => c.g.node1('AveragePool', [x], { kernel_shape: [s, s], strides: [s, s] });

function bottleneck(c: Ctx, x: string, inplanes: number, planes: number, stride: number): string {
  let h = relu(c, conv(c, x, inplanes, planes, 1));
  h = relu(c, conv(c, h, planes, planes, 3));
  if (stride > 1) h = avgPool(c, h, stride);
  h = conv(c, h, planes, planes * 4, 1, 0.2);
  let identity = x;
  if (stride > 1 || inplanes !== planes * 4) {
    identity = conv(c, stride > 1 ? avgPool(c, x, stride) : x, inplanes, planes * 4, 1);
  }
  return relu(c, c.g.node1('Add', [h, identity]));
}

export function buildModifiedResNet(spec: ResNetSpec, seed: number): GraphBuilder {
  const g = new GraphBuilder('modified_resnet_image', TORCH_EXPORT);
  const c: Ctx = { g, rng: new Rng(seed) };
  const w = spec.width;
  g.input('image', 'float32', [1, 3, spec.resolution, spec.resolution]);

  // Stem: stride-2 3×3 conv, two 3×3 convs, 2×2 avgpool → /4.
  const stemW = c.g.init('conv_w', c.rng.normal((w / 2) * 3 * 9, Math.sqrt(2 / 27)), [w / 2, 3, 3, 3]);
  let x = relu(c, g.node1('Conv', ['image', stemW, g.init('conv_b', new Float32Array(w / 2), [w / 2])], {
    kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1],
  }));
  x = relu(c, conv(c, x, w / 2, w / 2, 3));
  x = relu(c, conv(c, x, w / 2, w, 3));
  x = avgPool(c, x, 2);

  let inplanes = w;
  spec.layers.forEach((blocks, stage) => {
    const planes = w * 2 ** stage;
    for (let i = 0; i < blocks; i++) {
      x = bottleneck(c, x, inplanes, planes, i === 0 && stage > 0 ? 2 : 1);
      inplanes = planes * 4;
    }
  });

  // AttentionPool2d: NCHW → (HW)NC, prepend the mean token, add the positional embedding; every
  // token queries (the exported graph computes all of them), token 0 is the output.
  const embed = w * 32; // 2048
  const grid = spec.resolution / 32;
  const len = grid * grid + 1;
  const seq = g.node1('Transpose', [g.node1('Reshape', [x, tracedShape(g, [1, embed, grid * grid])])], { perm: [2, 0, 1] });
  const mean = g.node1('ReduceMean', [seq], { axes: [0], keepdims: 1 });
  let tokens = g.node1('Concat', [mean, seq], { axis: 0 }); // [len, 1, embed]
  const pos = g.init('visual.attnpool.positional_embedding', c.rng.normal(len * embed, 1 / Math.sqrt(embed)), [len, embed]);
  tokens = g.node1('Add', [tokens, g.node1('Cast', [g.node1('Unsqueeze', [pos, g.constInts('axes', [1])])], { to: 1 })]);
  const [pooled] = multiheadAttention(c, tokens, len, embed, spec.heads, { separateProj: true, outDim: spec.outDim }); // [len,1,out]
  g.node('Gather', [pooled, g.constInts('first', [0], [])], ['unnorm_image_features'], { axis: 0 });
  g.output('unnorm_image_features', 'float32', [1, spec.outDim]);
  return g;
}
