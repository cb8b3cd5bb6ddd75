/**
 * Fakes shared by the tags-* unit tests: a 16-d "colour" text embedder in the spirit of the
 * toy-colors test model (axis k = colour k), so ensembles, classification and albums can be
 * checked with answers known by construction.
 */
import type { TextEmbedder } from '../../electron/engine/tags/types.ts';

export const COLOURS = ['红', '橙', '黄', '绿', '蓝', '紫', '黑', '白', '灰'] as const;
export const DIM = 16;
/** Axes 10–15 carry a little template-dependent noise; axis 9 is never used by any text. */
export const EMPTY_AXIS = 9;

export function axis(k: number, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  v[k] = 1;
  return v;
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  return v.map((x) => x * inv);
}

/** a·u + b·w + …, normalised. */
export function mix(...parts: [number, number][]): Float32Array {
  const v = new Float32Array(DIM);
  for (const [k, w] of parts) v[k] += w;
  return normalise(v);
}

export class ColourEmbedder implements TextEmbedder {
  readonly dim = DIM;
  calls = 0;
  texts = 0;
  constructor(
    readonly modelKey = 'fake-colours',
    readonly logitScale = 100,
  ) {}

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    this.calls++;
    this.texts += texts.length;
    return texts.map((t) => {
      const v = new Float32Array(DIM);
      for (const ch of t) {
        const k = COLOURS.indexOf(ch as (typeof COLOURS)[number]);
        if (k >= 0) v[k] += 1;
      }
      // Template wording moves the vector a little, like real prompts do; averaging cancels most of it.
      let h = 0;
      for (const ch of t) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
      for (let k = 10; k < DIM; k++) v[k] = (((h >>> (k * 2)) & 7) - 3.5) * 0.01;
      return normalise(v);
    });
  }
}

/** A taxonomy of the nine colours (one family), as the JSON file would hold it. */
export function colourTaxonomyJson(): unknown {
  return {
    version: 1,
    customTemplates: ['{c}的照片', '这是{c}'],
    families: [{ id: 'colour', zh: '颜色', en: 'Colours', templates: ['{c}的照片', '一张{c}的照片', '{c}的图片'] }],
    tags: COLOURS.map((c, k) => ({ id: `c${k}`, zh: `${c}色`, en: `colour ${k}`, family: 'colour' })),
  };
}
