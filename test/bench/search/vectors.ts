/**
 * Vectors for the search benchmarks. Uniform random unit vectors are the worst case for an
 * approximate index's recall and unlike any real library, so the default is a CLIP-like set:
 *
 * - a shared mean direction (CLIP image embeddings sit in a narrow cone: mean pairwise cosine
 *   ≈ 0.4–0.5) with two "outlier" dimensions of large constant magnitude, as CLIP models have;
 * - topics (Zipf-popular) spanning a low-rank subspace with a decaying spectrum;
 * - bursts: a personal library is full of near-duplicates (a dozen shots of one scene), so most
 *   photos share a burst centre with a few others (cosine ≈ 0.9 between them);
 * - per-photo noise with an anisotropic (decaying) per-dimension scale;
 * - text queries in their own cone (the modality gap: a query scores ≈ 0.3 against its best
 *   photos) pointing at a topic.
 *
 * Everything is deterministic (seeded), so runs are comparable. Generating 1M × 512 takes a few
 * seconds: the low-rank mixing is done once per topic and burst, photos only add diagonal noise.
 */

export type VectorKind = 'clip-like' | 'uniform';

/** xorshift32 + Box–Muller. */
export class Rng {
  private s: number;
  private spare: number | undefined;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let s = this.s;
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    this.s = s;
    return (s + 0.5) / 4294967296;
  }
  gauss(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.next()));
    const t = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function normalise(v: Float32Array, off: number, dim: number): void {
  let n = 0;
  for (let i = 0; i < dim; i++) n += v[off + i]! * v[off + i]!;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let i = 0; i < dim; i++) v[off + i]! *= inv;
}

function randomUnit(rng: Rng, dim: number): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = rng.gauss();
  normalise(v, 0, dim);
  return v;
}

interface Structure {
  dim: number;
  imageMean: Float32Array;
  textMean: Float32Array;
  topics: Float32Array[];
  topicCdf: Float64Array;
  noiseScale: Float32Array;
}

const RANK = 48;
const TOPICS = 1500;

function structure(dim: number, seed: number): Structure {
  const rng = new Rng(seed);
  const imageMean = randomUnit(rng, dim);
  for (let i = 0; i < dim; i++) imageMean[i]! *= 0.57;
  imageMean[7]! += 0.25; // outlier dimensions, as in CLIP
  imageMean[301]! -= 0.2;
  const textMean = randomUnit(rng, dim);
  for (let i = 0; i < dim; i++) textMean[i] = textMean[i]! * 0.7 + imageMean[i]! * 0.25;
  const basis = Array.from({ length: RANK }, () => randomUnit(rng, dim));
  const topics: Float32Array[] = [];
  for (let t = 0; t < TOPICS; t++) {
    const v = new Float32Array(dim);
    for (let r = 0; r < RANK; r++) {
      const z = rng.gauss() * 0.25 * Math.pow(r + 1, -0.5);
      const b = basis[r]!;
      for (let i = 0; i < dim; i++) v[i]! += z * b[i]!;
    }
    // a little full-rank spread so topics are not confined to the subspace
    for (let i = 0; i < dim; i++) v[i]! += rng.gauss() * 0.005;
    topics.push(v);
  }
  const topicCdf = new Float64Array(TOPICS);
  let acc = 0;
  for (let t = 0; t < TOPICS; t++) topicCdf[t] = acc += 1 / Math.pow(t + 1, 0.9);
  for (let t = 0; t < TOPICS; t++) topicCdf[t]! /= acc;
  const noiseScale = new Float32Array(dim);
  for (let i = 0; i < dim; i++) noiseScale[i] = 0.011 * (0.4 + 1.6 * rng.next());
  return { dim, imageMean, textMean, topics, topicCdf, noiseScale };
}

function pickTopic(s: Structure, rng: Rng): number {
  const u = rng.next();
  let lo = 0;
  let hi = s.topicCdf.length - 1;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (s.topicCdf[m]! < u) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/**
 * n row-major unit vectors. `topicOf`, when given (length n), receives each photo's topic: the
 * known answer for relevance experiments (a query is about one topic). Recording it draws no
 * random numbers, so the vectors are the same with or without it.
 */
export function makeVectors(kind: VectorKind, n: number, dim: number, seed = 1, topicOf?: Int32Array): Float32Array {
  const out = new Float32Array(n * dim);
  const rng = new Rng(seed * 7919 + 17);
  if (kind === 'uniform') {
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < dim; i++) out[r * dim + i] = rng.gauss();
      normalise(out, r * dim, dim);
    }
    return out;
  }
  const s = structure(dim, seed);
  const burst = new Float32Array(dim);
  let left = 0;
  let topicId = -1;
  for (let r = 0; r < n; r++) {
    if (left === 0) {
      // a new burst: 1–24 photos of one scene
      left = 1 + Math.floor(Math.pow(rng.next(), 2) * 24);
      topicId = pickTopic(s, rng);
      const topic = s.topics[topicId]!;
      for (let i = 0; i < dim; i++) burst[i] = s.imageMean[i]! + topic[i]! + rng.gauss() * 0.017;
    }
    left--;
    if (topicOf) topicOf[r] = topicId;
    const o = r * dim;
    for (let i = 0; i < dim; i++) out[o + i] = burst[i]! + rng.gauss() * s.noiseScale[i]!;
    normalise(out, o, dim);
  }
  return out;
}

/** Text-like queries for the same structure (seed must match makeVectors'); `topicOf` as in makeVectors. */
export function makeQueries(kind: VectorKind, n: number, dim: number, seed = 1, topicOf?: Int32Array): Float32Array[] {
  const rng = new Rng(seed * 104729 + 3);
  if (kind === 'uniform') return Array.from({ length: n }, () => randomUnit(rng, dim));
  const s = structure(dim, seed);
  const out: Float32Array[] = [];
  for (let q = 0; q < n; q++) {
    const topicId = pickTopic(s, rng);
    if (topicOf) topicOf[q] = topicId;
    const topic = s.topics[topicId]!;
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) v[i] = s.textMean[i]! + topic[i]! * 0.6 + rng.gauss() * 0.01;
    normalise(v, 0, dim);
    out.push(v);
  }
  return out;
}
