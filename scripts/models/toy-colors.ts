/**
 * 'toy-colors': a hand-built model whose embeddings MEAN something, so search tests can assert
 * real rankings without real weights. Both towers live in one 16-d space whose first 9 axes are
 * colours (红 橙 黄 绿 蓝 紫 黑 白 灰); axis 9 is a small shared 'bias' so no vector is all-zero.
 *
 * Image: undo the CLIP normalisation → per-pixel softmax over -T·||Mp - c||² for 9 RGB prototypes,
 * M a saturation boost (a 1×1 Conv computes T·(2<p,Mc> - ||c||²); the ||Mp||² term is common to
 * all prototypes and cancels in the softmax) → GlobalAveragePool = the photo's colour histogram.
 * Text: count occurrences of each colour character (Equal against the 9 token ids; no 21128-row
 * table needed) + 0.02 on the bias axis per non-pad token.
 * Fixed batch 1 on both graphs, like the official export.
 */
import path from 'node:path';
import { CLIP_MEAN, CLIP_STD } from '../../electron/engine/ml/manifest.ts';
import { GraphBuilder } from './onnx-builder.ts';
import { officialContractManifest, writeManifest } from './write-manifest.ts';

export interface ToyColor {
  char: string;
  name: string;
  /** Prototype in RGB [0,1]: pixels nearest to it vote for this colour. */
  rgb: [number, number, number];
  /** Token ids in the Chinese-CLIP vocab (line index of resources/vocab.txt); first = simplified. */
  tokenIds: number[];
}

// Ids are fixed by the vocabulary (sha256 45bbac6b…); the unit test re-checks them against vocab.txt.
export const TOY_COLORS: readonly ToyColor[] = [
  { char: '红', name: 'red', rgb: [0.85, 0.1, 0.1], tokenIds: [5273, 5148] }, // 紅
  { char: '橙', name: 'orange', rgb: [1, 0.55, 0.05], tokenIds: [3581] },
  { char: '黄', name: 'yellow', rgb: [0.95, 0.9, 0.1], tokenIds: [7942, 7941] }, // 黃
  { char: '绿', name: 'green', rgb: [0.1, 0.7, 0.2], tokenIds: [5344, 5199] }, // 綠
  { char: '蓝', name: 'blue', rgb: [0.1, 0.25, 0.85], tokenIds: [5905, 5965] }, // 藍
  { char: '紫', name: 'purple', rgb: [0.55, 0.15, 0.7], tokenIds: [5166] },
  { char: '黑', name: 'black', rgb: [0.03, 0.03, 0.03], tokenIds: [7946] },
  { char: '白', name: 'white', rgb: [0.97, 0.97, 0.97], tokenIds: [4635] },
  { char: '灰', name: 'gray', rgb: [0.5, 0.5, 0.5], tokenIds: [4129] },
];

export const TOY_DIM = 16;
export const TOY_BIAS_AXIS = 9;
const RES = 64;
const CONTEXT = 52;
/** Softmax sharpness: a squared-distance gap of 0.2 is a vote ratio of e^-8, so pixels vote ~one-hot. */
const TEMPERATURE = 40;
const IMAGE_BIAS = 0.05;
const TOKEN_BIAS = 0.02;

/**
 * Photos are muted: against saturated prototypes 39 of the 50 shared photos came out 'gray' and
 * none chromatic. Stretching the PIXEL's chroma (distance from its grey level) by SATURATION
 * before comparing keeps grey, black and white where they are but lets a dull green field count as
 * green (then 25 gray, 9 black, 6 white, 4 blue, 2 red, 2 orange, 1 yellow, 1 green).
 */
const SATURATION = 3;
function saturate([r, g, b]: readonly number[]): [number, number, number] {
  const l = (r! + g! + b!) / 3;
  return [l + SATURATION * (r! - l), l + SATURATION * (g! - l), l + SATURATION * (b! - l)];
}

/** [9,16]: colour k → axis k. */
function colourToEmbedding(): Float32Array {
  const m = new Float32Array(TOY_COLORS.length * TOY_DIM);
  TOY_COLORS.forEach((_, k) => (m[k * TOY_DIM + k] = 1));
  return m;
}

function biasVector(value: number): Float32Array {
  const v = new Float32Array(TOY_DIM);
  v[TOY_BIAS_AXIS] = value;
  return v;
}

async function imageGraph(file: string): Promise<void> {
  const g = new GraphBuilder('toy_colors_image');
  g.input('image', 'float32', [1, 3, RES, RES]);
  const std = g.floats('std', CLIP_STD, [1, 3, 1, 1]);
  const mean = g.floats('mean', CLIP_MEAN, [1, 3, 1, 1]);
  const rgb = g.node1('Add', [g.node1('Mul', ['image', std]), mean]);
  const w = new Float32Array(TOY_COLORS.length * 3);
  const b = new Float32Array(TOY_COLORS.length);
  TOY_COLORS.forEach(({ rgb }, k) => {
    // Logit -T·||Mp - c||² with M the (symmetric) saturation boost: T·(2<p, Mc> - ||c||²) plus
    // the prototype-independent -T·||Mp||², which cancels in the softmax.
    const c = rgb;
    const mc = saturate(c);
    for (let ch = 0; ch < 3; ch++) w[k * 3 + ch] = 2 * TEMPERATURE * mc[ch]!;
    b[k] = -TEMPERATURE * (c[0] ** 2 + c[1] ** 2 + c[2] ** 2);
  });
  const logits = g.node1('Conv', [rgb, g.init('proto_w', w, [TOY_COLORS.length, 3, 1, 1]), g.init('proto_b', b, [TOY_COLORS.length])], {
    kernel_shape: [1, 1],
  });
  const votes = g.node1('Softmax', [logits], { axis: 1 });
  const hist = g.node1('Flatten', [g.node1('GlobalAveragePool', [votes])], { axis: 1 }); // [1,9]
  const emb = g.node1('MatMul', [hist, g.init('to_emb', colourToEmbedding(), [TOY_COLORS.length, TOY_DIM])]);
  g.node('Add', [emb, g.init('bias', biasVector(IMAGE_BIAS), [TOY_DIM])], ['unnorm_image_features']);
  g.output('unnorm_image_features', 'float32', [1, TOY_DIM]);
  await g.save(file);
}

async function textGraph(file: string): Promise<void> {
  const g = new GraphBuilder('toy_colors_text');
  g.input('text', 'int64', [1, CONTEXT]);
  // One column per (colour, token id) pair, folded back to colours by a [pairs,16] matrix.
  const pairs = TOY_COLORS.flatMap((c, k) => c.tokenIds.map((id) => ({ id, k })));
  const ids = g.ints('colour_ids', pairs.map((p) => p.id));
  const ids3 = g.node1('Unsqueeze', ['text', g.ints('axis2', [2])]); // [1,52,1]
  const hits = g.node1('Cast', [g.node1('Equal', [ids3, ids])], { to: 1 }); // [1,52,pairs] float
  const counts = g.node1('ReduceSum', [hits, g.ints('axis1', [1])], { keepdims: 0 }); // [1,pairs]
  const fold = new Float32Array(pairs.length * TOY_DIM);
  pairs.forEach((p, j) => (fold[j * TOY_DIM + p.k] = 1));
  const colour = g.node1('MatMul', [counts, g.init('to_emb', fold, [pairs.length, TOY_DIM])]);
  const isPad = g.node1('Equal', ['text', g.ints('pad_id', [0], [])]);
  const nonPad = g.node1('Cast', [g.node1('Not', [isPad])], { to: 1 });
  const n = g.node1('ReduceSum', [nonPad, g.ints('axis1b', [1])], { keepdims: 1 }); // [1,1]
  const bias = g.node1('Mul', [n, g.init('token_bias', biasVector(TOKEN_BIAS), [1, TOY_DIM])]);
  g.node('Add', [colour, bias], ['unnorm_text_features']);
  g.output('unnorm_text_features', 'float32', [1, TOY_DIM]);
  await g.save(file);
}

export async function generateToyColors(dir: string): Promise<void> {
  await imageGraph(path.join(dir, 'toy.img.fp32.onnx'));
  await textGraph(path.join(dir, 'toy.txt.fp32.onnx'));
  await writeManifest(
    dir,
    officialContractManifest({
      id: 'test-toy-colors',
      name: 'Toy colour model (hand-built: dominant colour ↔ colour words)',
      architecture: 'toy',
      embeddingDim: TOY_DIM,
      resolution: RES,
      stem: 'toy',
      imageBatch: 'fixed',
      source: 'scripts/models/toy-colors.ts (hand-set weights; for tests only)',
    }),
  );
}
