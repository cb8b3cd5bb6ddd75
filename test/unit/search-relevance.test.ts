/**
 * The relevance boundary's arithmetic (search/relevance.ts). Its behaviour on real photos with a
 * model whose scores mean something is test/integration/search-relevance.test.ts; its measured
 * quality on labelled CLIP-like sets is the relevance benchmark (docs/decisions/relevance.md).
 */
import { describe, expect, it } from 'vitest';
import {
  combinedRelevance,
  isRelevant,
  normalTail,
  normalTailInverse,
  partitionByRelevance,
  relevanceBoundary,
  MIN_SPREAD,
  robustBackground,
  TEXT_RELEVANCE,
  visualRelevance,
} from '../../electron/engine/search/relevance.ts';
import { mulberry32 } from '../../scripts/random.ts';
import { BackgroundSample } from '../../electron/engine/search/background-sample.ts';

function gaussians(seed: number, n: number, mean: number, sd: number): number[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
}

const desc = (xs: number[]): number[] => [...xs].sort((a, b) => b - a);

/** A library: `bulk` background photos and `relevant` photos scoring `lift` spreads higher; the sample is every 7th photo. */
function library(opts: { bulk: number; relevant: number; lift: number; seed?: number; mean?: number; sd?: number }) {
  const mean = opts.mean ?? 0.2;
  const sd = opts.sd ?? 0.03;
  const bulk = gaussians(opts.seed ?? 1, opts.bulk, mean, sd);
  const rel = gaussians((opts.seed ?? 1) + 100, opts.relevant, mean + opts.lift * sd, sd / 3);
  const all = [...rel, ...bulk];
  return { scores: desc(all), background: all.filter((_, i) => i % 7 === 0), relevantMin: Math.min(...rel) };
}

describe('normal tail', () => {
  it('matches the standard normal table and inverts', () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 7);
    expect(normalTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalTail(3)).toBeCloseTo(0.0013499, 6);
    expect(normalTail(-1)).toBeCloseTo(0.8413447, 6);
    for (const p of [0.5, 0.1, 1e-3, 1e-6]) expect(normalTail(normalTailInverse(p))).toBeCloseTo(p, 8);
  });
});

describe('background', () => {
  it('is the median and 1.4826 × MAD, unmoved by a few relevant photos', () => {
    expect(robustBackground([1, 2, 3, 4, 100])).toEqual({ median: 3, spread: 1.4826 });
    const bg = gaussians(3, 2000, 0.2, 0.03);
    const a = robustBackground(bg);
    const b = robustBackground([...bg, ...Array(40).fill(0.9)]);
    expect(a.median).toBeCloseTo(0.2, 2);
    expect(a.spread).toBeCloseTo(0.03, 2);
    expect(Math.abs(b.median - a.median)).toBeLessThan(0.002);
    expect(Math.abs(b.spread - a.spread)).toBeLessThan(0.002);
  });

  it('never has a zero spread', () => {
    expect(robustBackground([0.3, 0.3, 0.3]).spread).toBeGreaterThan(0);
    expect(robustBackground([0.3, 0.3, 0.3, 0.3, 0.9]).spread).toBeGreaterThan(0);
  });

  it('takes a tie of most of the library as the background, whatever the few other scores are', () => {
    // A standard deviation would let the one relevant photo widen its own background.
    expect(robustBackground([0.3, 0.3, 0.3, 0.9]).spread).toBe(MIN_SPREAD);
    expect(robustBackground([0.3, 0.3, 0.3, 0.3, 0.9, 0.95]).spread).toBe(MIN_SPREAD);
  });
});

describe('a tiny library (four photos, the list its own background)', () => {
  const boundary = (scores: number[]) => relevanceBoundary({ top: scores, total: scores.length, background: scores });

  it('keeps the one photo that matches when the others tie, at any size from three photos up', () => {
    // (Of two photos, neither is the background: nothing can stand out.)
    for (const others of [2, 3, 5, 8, 15]) {
      const scores = [0.42, ...Array<number>(others).fill(0.21)];
      const b = boundary(scores);
      expect(b.relevant, `1 + ${others}`).toBe(1);
      expect(b.method).not.toBe('none');
    }
  });

  it('keeps nothing where the scores differ by rounding only (a query the model knows nothing of)', () => {
    // The toy colour model's "一只猫": 0.0501 for the yellow photo, 0.0499 for the rest.
    for (const scores of [[0.0501, 0.0499, 0.0499, 0.0499], [0.05000004, 0.05, 0.05, 0.05], [0.3, 0.3, 0.3, 0.3]]) {
      const b = boundary(scores);
      expect(b.relevant, scores.join(', ')).toBe(0);
      expect(b.method).toBe('none');
    }
  });
});

describe('relevance boundary', () => {
  it('cuts a separated group of relevant photos at its edge', () => {
    const lib = library({ bulk: 5000, relevant: 25, lift: 6 });
    const b = relevanceBoundary({ top: lib.scores.slice(0, 1000), total: lib.scores.length, background: lib.background });
    expect(b.method).toBe('break');
    expect(b.relevant).toBe(25);
    expect(b.complete).toBe(true);
    expect(b.threshold).toBeLessThanOrEqual(lib.relevantMin);
  });

  it('finds nothing, or next to nothing, where nothing stands out — also where the first 1000 are all two spreads up', () => {
    for (const [seed, bulk] of [[1, 20_000], [2, 20_000], [3, 20_000], [4, 100_000], [5, 100_000]] as const) {
      const lib = library({ bulk, relevant: 0, lift: 0, seed });
      const b = relevanceBoundary({ top: lib.scores.slice(0, 1000), total: lib.scores.length, background: lib.background });
      expect(b.relevant, `seed ${seed}`).toBeLessThanOrEqual(2);
    }
  });

  it('is not a fixed score: shifting and stretching every score moves the boundary with them', () => {
    const lib = library({ bulk: 3000, relevant: 12, lift: 5 });
    const base = relevanceBoundary({ top: lib.scores.slice(0, 500), total: lib.scores.length, background: lib.background });
    for (const [a, c] of [
      [2.5, 0.3],
      [0.2, -0.05],
    ] as const) {
      const f = (s: number): number => a * s + c;
      const moved = relevanceBoundary({ top: lib.scores.slice(0, 500).map(f), total: lib.scores.length, background: lib.background.map(f) });
      expect(moved.relevant).toBe(base.relevant);
      expect(moved.threshold).toBeCloseTo(f(base.threshold), 9);
    }
    expect(base.relevant).toBe(12);
  });

  it('the same cosine is relevant for one query and not for another', () => {
    // Query A's background sits at 0.15, query B's at 0.30: 0.33 stands out only for A.
    const a = library({ bulk: 4000, relevant: 10, lift: 6, mean: 0.15, sd: 0.03 });
    const b = library({ bulk: 4000, relevant: 10, lift: 6, mean: 0.3, sd: 0.03, seed: 9 });
    const ba = relevanceBoundary({ top: a.scores.slice(0, 500), total: 4010, background: a.background });
    const bb = relevanceBoundary({ top: b.scores.slice(0, 500), total: 4010, background: b.background });
    expect(ba.threshold).toBeLessThan(0.33);
    expect(bb.threshold).toBeGreaterThan(0.33);
  });

  it('without a break, keeps what the background cannot explain', () => {
    // 300 relevant photos only 3 spreads up, overlapping the background's tail: no gap to cut at.
    for (const seed of [11, 12, 13]) {
      const bulk = gaussians(seed, 20_000, 0.2, 0.03).map((s) => ({ s, relevant: false }));
      const group = gaussians(seed + 50, 300, 0.29, 0.03).map((s) => ({ s, relevant: true }));
      const all = [...bulk, ...group].sort((a, b) => b.s - a.s);
      const b = relevanceBoundary({ top: all.slice(0, 1000).map((x) => x.s), total: all.length, background: all.filter((_, i) => i % 20 === 0).map((x) => x.s) });
      expect(b.method, `seed ${seed}`).toBe('background');
      const kept = all.slice(0, b.relevant);
      // Most of the group, and the background's share of what is kept within the bound (FDR_Q = 0.2).
      expect(b.relevant).toBeGreaterThan(120);
      expect(kept.filter((x) => !x.relevant).length / kept.length).toBeLessThanOrEqual(0.2);
    }
  });

  it('says when the relevant part goes on past the scores it was given', () => {
    const lib = library({ bulk: 50_000, relevant: 800, lift: 8 });
    const b = relevanceBoundary({ top: lib.scores.slice(0, 500), total: lib.scores.length, background: lib.background });
    expect(b.relevant).toBe(500);
    expect(b.complete).toBe(false);
  });

  it("follows the person's sensitivity, monotonically and within its range", () => {
    const lib = library({ bulk: 20_000, relevant: 0, lift: 0, seed: 7 });
    const at = (sensitivity: number) => relevanceBoundary({ top: lib.scores.slice(0, 1000), total: lib.scores.length, background: lib.background, sensitivity });
    const counts = [-3, -2, -1, 0, 1, 2, 3].map((s) => at(s).relevant);
    expect(counts).toEqual([...counts].sort((x, y) => x - y));
    expect(counts[6]).toBeGreaterThan(counts[3]!);
    expect(at(10).relevant).toBe(at(3).relevant);
    expect(at(Number.NaN).relevant).toBe(at(0).relevant);
    expect(at(1).z).toBeCloseTo(at(0).z - 0.5, 9);
  });

  it('handles tiny and degenerate lists', () => {
    expect(relevanceBoundary({ top: [], total: 0, background: [] })).toMatchObject({ relevant: 0, complete: true });
    expect(relevanceBoundary({ top: [0.4], total: 1, background: [0.4] }).relevant).toBe(0);
    const same = Array(30).fill(0.25);
    expect(relevanceBoundary({ top: same, total: 30, background: same }).relevant).toBe(0);
    // Identical photos far above an otherwise identical library.
    const twoKinds = desc([...Array(3).fill(0.9), ...Array(40).fill(0.1)]);
    expect(relevanceBoundary({ top: twoKinds, total: 43, background: twoKinds }).relevant).toBe(3);
  });
});

describe('one scale for text and visual matches', () => {
  const lib = library({ bulk: 3000, relevant: 10, lift: 6 });
  const boundary = relevanceBoundary({ top: lib.scores.slice(0, 500), total: lib.scores.length, background: lib.background });

  it('visual relevance is 0.5 at the boundary and rises above it', () => {
    expect(visualRelevance(boundary.threshold, boundary)).toBeCloseTo(0.5, 9);
    expect(visualRelevance(boundary.threshold + boundary.background.spread, boundary)).toBeGreaterThan(0.85);
    expect(visualRelevance(boundary.background.median, boundary)).toBeLessThan(0.01);
  });

  it('a receipt that says 星巴克 is relevant however little it looks like the query', () => {
    const receipt = combinedRelevance(visualRelevance(0.05, boundary), 'exact');
    expect(receipt).toBeGreaterThanOrEqual(TEXT_RELEVANCE.exact);
    expect(isRelevant(receipt)).toBe(true);
    // Text and looks together count more than either.
    const both = combinedRelevance(0.7, 'words');
    expect(both).toBeGreaterThan(0.7);
    expect(both).toBeGreaterThan(TEXT_RELEVANCE.words);
    expect(combinedRelevance(undefined, undefined)).toBe(0);
    expect(isRelevant(combinedRelevance(0.2, 'single-character'))).toBe(true);
  });

  it('shows every relevant photo first, each part in its fused order', () => {
    const fused = [
      { id: 'unrelated-1', r: 0.3 },
      { id: 'receipt', r: combinedRelevance(0.01, 'exact') },
      { id: 'coffee-cup', r: 0.8 },
      { id: 'unrelated-2', r: 0.1 },
      { id: 'menu', r: combinedRelevance(0.2, 'words') },
    ];
    const { items, relevant } = partitionByRelevance(fused, (x) => x.r);
    expect(items.map((x) => x.id)).toEqual(['receipt', 'coffee-cup', 'menu', 'unrelated-1', 'unrelated-2']);
    expect(relevant).toBe(3);
  });
});

describe('background sample', () => {
  /** A repository stand-in: `count` photos; sample() reads `count` unit vectors along e0…e3. */
  function fakeRepo() {
    const repo = {
      dim: 4,
      countNow: 10,
      reads: 0,
      count: () => repo.countNow,
      sample: (n: number) => {
        repo.reads++;
        const m = Math.min(n, repo.countNow);
        const vectors = new Float32Array(m * 4);
        for (let i = 0; i < m; i++) vectors[i * 4 + (i % 4)] = 1;
        return { ids: Int32Array.from({ length: m }, (_, i) => i + 1), vectors };
      },
    };
    return repo;
  }

  it("scores the query against the sampled photos and reads them again only when the library has changed enough", () => {
    const repo = fakeRepo();
    const bg = new BackgroundSample(64);
    const as = repo as unknown as Parameters<BackgroundSample['scores']>[0];
    expect(Array.from(bg.scores(as, Float32Array.from([1, 0, 0.5, 0])))).toEqual([1, 0, 0.5, 0, 1, 0, 0.5, 0, 1, 0]);
    bg.scores(as, Float32Array.from([0, 1, 0, 0]));
    expect(repo.reads).toBe(1);
    repo.countNow = 11; // a small library: any change
    expect(bg.scores(as, Float32Array.from([1, 0, 0, 0])).length).toBe(11);
    expect(repo.reads).toBe(2);
    repo.countNow = 1000; // now larger than the sample: re-read, then only after a tenth more
    bg.scores(as, Float32Array.from([1, 0, 0, 0]));
    repo.countNow = 1050;
    bg.scores(as, Float32Array.from([1, 0, 0, 0]));
    expect(repo.reads).toBe(3);
    repo.countNow = 1101;
    bg.scores(as, Float32Array.from([1, 0, 0, 0]));
    expect(repo.reads).toBe(4);
    expect(() => bg.scores(as, new Float32Array(3))).toThrow(/3 dimensions/);
  });
});
