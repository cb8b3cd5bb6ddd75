import { describe, expect, it } from 'vitest';
import { HashIndex, MAX_RADIUS } from '../../electron/engine/stacks/hash-index.ts';
import { TimeIndex } from '../../electron/engine/stacks/time-index.ts';
import { formatPhash, hammingDistance, parsePhash, phashFromSql, phashToSql, popcount32, type Phash64 } from '../../electron/engine/stacks/phash.ts';
import { mulberry32 } from '../../scripts/random.ts';

function randomHash(rnd: () => number): Phash64 {
  return { hi: Math.floor(rnd() * 2 ** 32) >>> 0, lo: Math.floor(rnd() * 2 ** 32) >>> 0 };
}

function flip(h: Phash64, bits: number, rnd: () => number): Phash64 {
  const out = { ...h };
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(Math.floor(rnd() * 64));
  for (const b of chosen) {
    if (b < 32) out.hi = (out.hi ^ (1 << b)) >>> 0;
    else out.lo = (out.lo ^ (1 << (b - 32))) >>> 0;
  }
  return out;
}

describe('64-bit perceptual hash values', () => {
  it('round-trips through hex and the signed SQLite integer, and counts differing bits', () => {
    for (const hex of ['0000000000000000', 'ffffffffffffffff', '8000000000000001', '0123456789abcdef']) {
      expect(formatPhash(parsePhash(hex))).toBe(hex);
      expect(phashFromSql(phashToSql(hex))).toBe(hex);
    }
    expect(phashToSql('ffffffffffffffff')).toBe(-1n);
    expect(() => parsePhash('xyz')).toThrow(RangeError);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(hammingDistance(parsePhash('ffffffffffffffff'), parsePhash('0000000000000000'))).toBe(64);
    expect(hammingDistance(parsePhash('0000000100000001'), parsePhash('0000000000000000'))).toBe(2);
  });
});

describe('HashIndex (multi-index hashing)', () => {
  it('finds exactly what comparing with every hash finds, at every radius it supports', () => {
    const rnd = mulberry32(7);
    const index = new HashIndex<number>();
    const stored: Phash64[] = [];
    // Clusters (copies of one picture) and unrelated hashes, as a library has.
    for (let c = 0; c < 150; c++) {
      const base = randomHash(rnd);
      for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++) stored.push(flip(base, Math.floor(rnd() * 16), rnd));
    }
    stored.forEach((h, i) => index.add(i, h));
    for (let q = 0; q < 60; q++) {
      const query = q % 2 ? stored[Math.floor(rnd() * stored.length)] : flip(stored[q], 3, rnd);
      for (let radius = 0; radius <= MAX_RADIUS; radius++) {
        const got = index.within(query, radius).map((x) => x.key).sort((a, b) => a - b);
        const want = stored.flatMap((h, i) => (hammingDistance(h, query) <= radius ? [i] : []));
        expect(got).toEqual(want);
      }
    }
  });

  it('forgets removed hashes and reuses their slots', () => {
    const index = new HashIndex<string>();
    const a = parsePhash('00000000000000ff');
    index.add('a', a);
    index.add('b', parsePhash('00000000000000fe'));
    expect(index.within(a, 1).map((x) => x.key).sort()).toEqual(['a', 'b']);
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect(index.within(a, 1).map((x) => x.key)).toEqual(['b']);
    index.add('c', a);
    expect(index.within(a, 0)).toEqual([{ key: 'c', distance: 0 }]);
    expect(index.size).toBe(2);
    expect(() => index.within(a, MAX_RADIUS + 1)).toThrow(RangeError);
  });
});

describe('TimeIndex', () => {
  it('answers time ranges whatever order times arrive in', () => {
    const t = new TimeIndex<string>();
    for (const [k, time] of [['c', 3000], ['a', 1000], ['d', 3000], ['b', 2000], ['e', 9000]] as const) t.add(k, time);
    expect(t.range(1500, 3000).map((x) => x.key)).toEqual(['b', 'c', 'd']);
    expect(t.remove('c', 3000)).toBe(true);
    expect(t.remove('c', 3000)).toBe(false);
    expect(t.range(0, 10_000).map((x) => x.key)).toEqual(['a', 'b', 'd', 'e']);
  });
});
