/**
 * Does the int8 model still find the same photos? Measured, before it is installed, on the
 * person's own photos (a sample of the library, or a folder they name) and on the tag prompts:
 * cosine of each int8 vector to its fp32 vector (mean, min, per tower), and how much of each
 * fp32 top-10 the int8 model keeps (text → photos, photo → prompts). The two models encode the
 * same inputs interleaved, so the speed-up figures come from one run under the same load.
 *
 * The bound (FIDELITY_BOUND) and why: a mean cosine of 0.99 between two unit vectors means an
 * error of length √(2 − 2·0.99) ≈ 0.14 spread over 512+ dimensions; its effect on a query–photo
 * score is ≈ 0.14 / √512 ≈ 0.006, a small fraction of the 0.05–0.10 by which a matching photo's
 * score leads a non-matching one in Chinese-CLIP. Below it, rankings visibly reshuffle. The min
 * bound (0.95) catches an outlier input (e.g. an activation range that int8 clips) that a good mean
 * would hide.
 */
import { preprocess } from '../media/decode.ts';
import type { ModelRuntime } from '../ml/model-runtime.ts';

export const FIDELITY_BOUND = { meanCosine: 0.99, minCosine: 0.95 } as const;

export interface CosineStats {
  count: number;
  meanCosine: number;
  minCosine: number;
}

export interface FidelityReport {
  images: CosineStats;
  texts: CosineStats;
  top10Overlap: { textToImage: number; imageToText: number };
  speedup: { image: number; text: number };
  /** Mean milliseconds per image / per text, fp32 and int8, from the same interleaved run. */
  ms: { image: { fp32: number; int8: number }; text: { fp32: number; int8: number } };
  /** Photos that could not be decoded (skipped, not counted). */
  unreadable: string[];
}

export interface FidelityProgress {
  phase: 'images' | 'texts';
  done: number;
  total: number;
}

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

function stats(cos: number[]): CosineStats {
  return { count: cos.length, meanCosine: cos.length ? cos.reduce((a, b) => a + b, 0) / cos.length : 0, minCosine: cos.length ? Math.min(...cos) : 0 };
}

function topK(query: Float32Array, gallery: Float32Array[], k: number): Set<number> {
  return new Set(
    gallery
      .map((g, i) => [dot(query, g), i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, k)
      .map(([, i]) => i),
  );
}

/** Mean share of the fp32 top-k (of each query over the gallery) that int8 also has in its top-k. */
export function topKOverlap(queries: [Float32Array[], Float32Array[]], gallery: [Float32Array[], Float32Array[]], k = 10): number {
  const n = queries[0].length;
  const kk = Math.min(k, gallery[0].length);
  if (n === 0 || kk === 0) return 1;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const a = topK(queries[0][i]!, gallery[0], kk);
    const b = topK(queries[1][i]!, gallery[1], kk);
    sum += [...a].filter((x) => b.has(x)).length / kk;
  }
  return sum / n;
}

export function passesBound(r: Pick<FidelityReport, 'images' | 'texts'>, bound: { meanCosine: number; minCosine: number } = FIDELITY_BOUND): boolean {
  return [r.images, r.texts].every((s) => s.count > 0 && s.meanCosine >= bound.meanCosine && s.minCosine >= bound.minCosine);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

export async function measureFidelity(
  fp32: ModelRuntime,
  int8: ModelRuntime,
  input: { photos: string[]; prompts: string[]; onProgress?: (p: FidelityProgress) => void; signal?: AbortSignal },
): Promise<FidelityReport> {
  const spec = fp32.preprocessSpec;
  const img: [Float32Array[], Float32Array[]] = [[], []];
  const imgMs = [0, 0];
  const unreadable: string[] = [];
  // Warm both sessions first, so start-up is not billed to either side.
  await fp32.embedTexts(['预热']);
  await int8.embedTexts(['预热']);
  let first = true;
  for (const [i, photo] of input.photos.entries()) {
    input.signal?.throwIfAborted();
    let tensor: Float32Array;
    try {
      tensor = (await preprocess(photo, spec)).tensor;
    } catch {
      unreadable.push(photo);
      continue;
    }
    if (first) {
      await fp32.embedImageTensors([tensor.slice()]);
      await int8.embedImageTensors([tensor.slice()]);
      first = false;
    }
    // Alternate which model goes first, so neither always meets a warmer cache.
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const side of order) {
      const [v, ms] = await timed(() => (side === 0 ? fp32 : int8).embedImageTensors([tensor.slice()]));
      img[side]!.push(v[0]!);
      imgMs[side]! += ms;
    }
    input.onProgress?.({ phase: 'images', done: i + 1, total: input.photos.length });
  }
  const txt: [Float32Array[], Float32Array[]] = [[], []];
  const txtMs = [0, 0];
  for (const [i, prompt] of input.prompts.entries()) {
    input.signal?.throwIfAborted();
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const side of order) {
      const [v, ms] = await timed(() => (side === 0 ? fp32 : int8).embedTexts([prompt]));
      txt[side]!.push(v[0]!);
      txtMs[side]! += ms;
    }
    if ((i + 1) % 16 === 0 || i + 1 === input.prompts.length) input.onProgress?.({ phase: 'texts', done: i + 1, total: input.prompts.length });
  }
  const per = (ms: number, n: number): number => (n ? ms / n : 0);
  const ms = {
    image: { fp32: per(imgMs[0]!, img[0].length), int8: per(imgMs[1]!, img[1].length) },
    text: { fp32: per(txtMs[0]!, txt[0].length), int8: per(txtMs[1]!, txt[1].length) },
  };
  return {
    images: stats(img[0].map((v, i) => dot(v, img[1][i]!))),
    texts: stats(txt[0].map((v, i) => dot(v, txt[1][i]!))),
    top10Overlap: { textToImage: topKOverlap(txt, img), imageToText: topKOverlap(img, txt) },
    speedup: { image: ms.image.int8 > 0 ? ms.image.fp32 / ms.image.int8 : 0, text: ms.text.int8 > 0 ? ms.text.fp32 / ms.text.int8 : 0 },
    ms,
    unreadable,
  };
}
