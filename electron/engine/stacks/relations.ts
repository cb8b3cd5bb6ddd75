/**
 * When two pictures belong together, kept as three separate kinds:
 *
 * - exact: the same bytes (same SHA-256). A picture here is one content hash; its copies are the
 *   photos that hold it.
 * - near: the same picture after resizing, recompression, a format change or a small crop —
 *   perceptual hashes within NEAR_HASH_DISTANCE bits, confirmed by embedding cosine ≥ nearCosine,
 *   and not two different captures (both carry capture identities and they differ: that is a
 *   burst, not a copy).
 * - burst: different captures of the same moment — same camera, EXIF times within
 *   burstWindowMs (or a shared burst id / burst file name), and cosine ≥ burstCosine.
 *
 * A pair the person marked "not the same" is never related, whatever the numbers say.
 * Thresholds and how they were measured: docs/decisions/stacks.md.
 */
import { hammingDistance, type Phash64 } from './phash.ts';

export type StackKind = 'exact' | 'near' | 'burst';

export interface StackThresholds {
  /** Largest pHash Hamming distance between two copies of one picture (of 64 bits). */
  nearHashDistance: number;
  /** Smallest embedding cosine that confirms a near-duplicate (model-specific). */
  nearCosine: number;
  /** Largest gap between EXIF capture times of consecutive burst frames. */
  burstWindowMs: number;
  /** Smallest embedding cosine between any two frames of a burst (model-specific). */
  burstCosine: number;
  /** Most pictures in one near-duplicate group / frames in one burst (bounds every check). */
  nearCap: number;
  burstCap: number;
}

/**
 * Defaults. The hash distance and the window are model-independent and measured; the cosines are
 * priors for CLIP-like models until calibrated with the model in use (docs/decisions/stacks.md).
 */
export const DEFAULT_THRESHOLDS: StackThresholds = {
  nearHashDistance: 10,
  nearCosine: 0.9,
  burstWindowMs: 2000,
  burstCosine: 0.85,
  nearCap: 32,
  burstCap: 64,
};

/** What the grouping knows about one picture (one content hash). */
export interface Picture {
  /** Content hash (SHA-256 hex): exact copies share it, and decisions are keyed by it. */
  key: string;
  phash: Phash64 | null;
  /** Unit-length embedding of the active model; null until encoded. */
  vector: Float32Array | null;
  /** EXIF capture time in ms (null when only the file time is known: copies get new file times). */
  takenAt: number | null;
  /** "make\u0000model" from EXIF, or null. */
  camera: string | null;
  /**
   * Identity of the capture when EXIF gives one: ImageUniqueID, else camera + time to the
   * sub-second. Two copies of a picture share it (or one lost it); two burst frames differ.
   */
  captureId: string | null;
  /** A burst id (Apple BurstUUID) or a burst file-name key (burst-names.ts), or null. */
  burstKey: string | null;
}

/**
 * A picture's embedding. The grouping asks through this rather than reading Picture.vector so a
 * library's vectors need not all be held in memory (the stacks pass reads them on demand from the
 * store, keeping the recent ones): 2 KiB a picture at 512-d would be 2 GiB at a million photos.
 */
export type VectorOf = (p: Picture) => Float32Array | null;

export const OWN_VECTOR: VectorOf = (p) => p.vector;

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The person's "these are not the same" decisions, as unordered pairs of content hashes. */
export interface Separations {
  separated(a: string, b: string): boolean;
}

export const NO_SEPARATIONS: Separations = { separated: () => false };

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** A set of separated pairs in memory (the store keeps them keyed the same way). */
export class SeparationSet implements Separations {
  private readonly pairs = new Set<string>();

  constructor(pairs: Iterable<[string, string]> = []) {
    for (const [a, b] of pairs) this.add(a, b);
  }

  add(a: string, b: string): void {
    if (a !== b) this.pairs.add(pairKey(a, b));
  }

  separated(a: string, b: string): boolean {
    return this.pairs.has(pairKey(a, b));
  }
}

export function differentCaptures(a: Picture, b: Picture): boolean {
  return a.captureId !== null && b.captureId !== null && a.captureId !== b.captureId;
}

/** Near-duplicate: the hash is close, the embedding agrees, and nothing says they are two shots. */
export function nearRelated(a: Picture, b: Picture, t: StackThresholds, seps: Separations, vec: VectorOf = OWN_VECTOR): boolean {
  if (!a.phash || !b.phash) return false;
  if (hammingDistance(a.phash, b.phash) > t.nearHashDistance) return false;
  if (differentCaptures(a, b) || seps.separated(a.key, b.key)) return false;
  const va = vec(a);
  const vb = va && vec(b);
  return !!va && !!vb && cosine(va, vb) >= t.nearCosine;
}

/** Whether b was taken close enough to a, by the same camera, to be a frame of the same burst. */
export function sameMoment(a: Picture, b: Picture, t: StackThresholds): boolean {
  if (a.burstKey !== null && a.burstKey === b.burstKey) return true;
  if (a.takenAt === null || b.takenAt === null || a.camera === null || a.camera !== b.camera) return false;
  return Math.abs(a.takenAt - b.takenAt) <= t.burstWindowMs;
}

/** Similar enough to be frames of one burst (the time condition is checked by the grouping). */
export function burstSimilar(a: Picture, b: Picture, t: StackThresholds, seps: Separations, vec: VectorOf = OWN_VECTOR): boolean {
  return burstCosine(a, b, t, seps, vec) !== null;
}

/** The cosine of two burst-similar pictures, or null when they are not (the grouping ranks by it). */
export function burstCosine(a: Picture, b: Picture, t: StackThresholds, seps: Separations, vec: VectorOf = OWN_VECTOR): number | null {
  if (seps.separated(a.key, b.key)) return null;
  // One capture twice (a copy too edited for the near kind) is not a series of shots.
  if (a.captureId !== null && a.captureId === b.captureId) return null;
  if (a.camera !== null && b.camera !== null && a.camera !== b.camera) return null;
  const va = vec(a);
  const vb = va && vec(b);
  if (!va || !vb) return null;
  const c = cosine(va, vb);
  return c >= t.burstCosine ? c : null;
}
