/**
 * The grouping rules: perceptual hashes are real (../shared/photos and the copies people make of
 * them, through libvips' encoders); embeddings are stand-ins (a copy's vector is its original's
 * plus a little noise, different pictures get independent vectors), since no real image–text
 * weights are available here — their thresholds are calibrated separately (docs/decisions/stacks.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintFile } from '../../electron/engine/media/fingerprint-file.ts';
import { StackGrouper } from '../../electron/engine/stacks/grouper.ts';
import { formatPhash, parsePhash, type Phash64 } from '../../electron/engine/stacks/phash.ts';
import { DEFAULT_THRESHOLDS, SeparationSet, type Picture } from '../../electron/engine/stacks/relations.ts';
import { mulberry32 } from '../../scripts/random.ts';

const PHOTOS = path.resolve('../shared/photos');
const files = fs.readdirSync(PHOTOS).filter((f) => f.endsWith('.JPEG')).sort().map((f) => path.join(PHOTOS, f));
const rnd = mulberry32(19);
const DIM = 64;

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
function randomVector(): Float32Array {
  return unit(Float32Array.from({ length: DIM }, () => rnd() * 2 - 1));
}
/** A vector whose cosine with `base` is about 1 − noise²·DIM/6 (0.96 for noise 0.05). */
function near(base: Float32Array, noise: number): Float32Array {
  return unit(base.map((x) => x + (rnd() * 2 - 1) * noise));
}
function flipBits(h: Phash64, bits: number[]): Phash64 {
  const out = { ...h };
  for (const b of bits) {
    if (b < 32) out.hi = (out.hi ^ (1 << b)) >>> 0;
    else out.lo = (out.lo ^ (1 << (b - 32))) >>> 0;
  }
  return out;
}

function picture(key: string, over: Partial<Picture> = {}): Picture {
  return { key, phash: null, vector: null, takenAt: null, camera: null, captureId: null, burstKey: null, ...over };
}

interface Source {
  original: Picture;
  copies: Picture[];
}

const sources: Source[] = [];

beforeAll(async () => {
  for (const [i, file] of files.slice(0, 8).entries()) {
    const vector = randomVector();
    const takenAt = Date.UTC(2024, 0, 1) + i * 3_600_000;
    const original = picture(`orig-${i}`, {
      phash: parsePhash((await fingerprintFile(file)).phash),
      vector,
      takenAt,
      camera: 'Apple\u0000iPhone 13',
      captureId: `capture-${i}`,
    });
    const { data: png, info } = await sharp(file).rotate().png().toBuffer({ resolveWithObject: true });
    const made = {
      half: await sharp(png).resize(Math.round(info.width / 2)).jpeg({ quality: 85 }).toBuffer(),
      q40: await sharp(png).jpeg({ quality: 40 }).toBuffer(),
      webp: await sharp(png).webp().toBuffer(),
      wechat: await sharp(png).resize(Math.round(info.width / 2)).jpeg({ quality: 70 }).toBuffer(),
    };
    const copies: Picture[] = [];
    for (const [name, bytes] of Object.entries(made)) {
      // Chat apps and converters drop EXIF: no time, camera or capture id on the copy.
      copies.push(picture(`${name}-${i}`, { phash: parsePhash((await fingerprintFile(bytes)).phash), vector: near(vector, 0.02) }));
    }
    sources.push({ original, copies });
  }
}, 120_000);

const members = (g: StackGrouper, key: string): string[] | null => g.nearGroupOf(key)?.sort() ?? null;

describe('near-duplicates', () => {
  it('puts each photo with its own copies and nothing else', () => {
    const g = new StackGrouper();
    g.insertAll(sources.flatMap((s) => [s.original, ...s.copies]));
    for (const s of sources) {
      expect(members(g, s.original.key)).toEqual([s.original.key, ...s.copies.map((c) => c.key)].sort());
      expect(g.stackOf(s.original.key)?.kind).toBe('near');
    }
    expect(g.snapshot().near).toHaveLength(sources.length);
    expect(g.snapshot().bursts).toHaveLength(0);
  });

  it('never chains: a picture joins a group only if it is close to every member', () => {
    const a = sources[0].original;
    // Edited copies without EXIF.
    const b = { ...a, key: 'b', captureId: null, takenAt: null, camera: null, phash: flipBits(a.phash!, [1, 2, 3, 4, 5, 6]) };
    const c = { ...b, key: 'c', phash: flipBits(b.phash!, [40, 41, 42, 43, 44, 45]) };
    // a–b 6 bits, b–c 6 bits, a–c 12 bits (> 10): c must not join {a, b}.
    const g = new StackGrouper();
    for (const p of [a, b, c]) g.insert(p);
    expect(members(g, 'b')).toEqual(['b', a.key].sort());
    expect(g.stackOf('c')).toBeNull();
    const h = new StackGrouper();
    for (const p of [a, c, b]) h.insert(p);
    // b fits either; it joins one of them, and the other stays alone.
    expect([members(h, a.key), members(h, 'c')].filter(Boolean)).toHaveLength(1);
  });

  it('keeps two shots apart when EXIF says they are different captures, however alike', () => {
    const a = sources[1].original;
    const second = { ...a, key: 'second-frame', captureId: 'capture-other', takenAt: a.takenAt! + 400, vector: near(a.vector!, 0.03) };
    const g = new StackGrouper();
    g.insertAll([a, second]);
    expect(g.nearGroupOf(a.key)).toBeNull();
    expect(g.stackOf(a.key)).toEqual(g.stackOf('second-frame'));
    expect(g.stackOf(a.key)?.kind).toBe('burst');
  });

  it('never calls two copies of one capture a burst, even when their hashes are too far apart for near', () => {
    const a = sources[1].original;
    const heavyCrop = { ...a, key: 'heavy-crop', phash: sources[2].original.phash, vector: near(a.vector!, 0.03) };
    const g = new StackGrouper();
    g.insertAll([a, heavyCrop]);
    expect(g.stackOf(a.key)).toBeNull();
  });

  it('is confirmed by the embedding: a close hash with a different vector is not a copy', () => {
    const a = sources[2].original;
    const impostor = { ...sources[2].copies[0], key: 'impostor', vector: randomVector() };
    const g = new StackGrouper();
    g.insertAll([a, impostor]);
    expect(g.stackOf('impostor')).toBeNull();
  });

  it('caps a group', () => {
    const a = sources[3].original;
    const g = new StackGrouper({ ...DEFAULT_THRESHOLDS, nearCap: 3 });
    g.insertAll([a, ...Array.from({ length: 5 }, (_, i) => ({ ...a, key: `dup-${i}`, captureId: null }))]);
    const sizes = g.snapshot().near.map((n) => n.keys.length).sort();
    expect(sizes).toEqual([3, 3]);
  });
});

describe('bursts', () => {
  const camera = 'samsung\u0000SM-S906U';
  const start = Date.UTC(2024, 5, 1, 12);
  const base = randomVector();
  const frame = (i: number, ms: number, over: Partial<Picture> = {}): Picture =>
    picture(`frame-${i}`, { phash: parsePhash(formatPhash({ hi: (i * 2654435761) >>> 0, lo: (i * 40503) >>> 0 })), vector: near(base, 0.05), takenAt: start + ms, camera, captureId: `f${i}`, ...over });

  it('groups frames by one camera within the window, and leaves out what else happened then', () => {
    const frames = [0, 300, 600, 900, 1200].map((ms, i) => frame(i, ms));
    const somethingElse = picture('something-else', { vector: randomVector(), takenAt: start + 1500, camera, captureId: 'x' });
    const otherCamera = picture('other-camera', { vector: near(base, 0.05), takenAt: start + 600, camera: 'Apple\u0000iPhone 13', captureId: 'y' });
    const later = frame(9, 1200 + DEFAULT_THRESHOLDS.burstWindowMs + 1);
    const g = new StackGrouper();
    g.insertAll([...frames, somethingElse, otherCamera, later]);
    const bursts = g.snapshot().bursts;
    expect(bursts).toHaveLength(1);
    expect(bursts[0].frames.flat().sort()).toEqual(frames.map((f) => f.key).sort());
    for (const k of ['something-else', 'other-camera', later.key]) expect(g.stackOf(k), k).toBeNull();
  });

  it('follows a long burst frame to frame, and a shared burst key across any gap', () => {
    const g = new StackGrouper();
    g.insertAll(Array.from({ length: 12 }, (_, i) => frame(i, i * 500)));
    expect(g.snapshot().bursts.map((b) => b.frames.length)).toEqual([12]);
    const k = new StackGrouper();
    k.insertAll([frame(0, 0, { burstKey: 'name:IMG_20240601_120000' }), frame(1, 60_000, { burstKey: 'name:IMG_20240601_120000' })]);
    expect(k.snapshot().bursts).toHaveLength(1);
  });

  it('brings a WeChat copy of a frame into the burst through its original, whichever comes first', () => {
    const s = sources[4];
    const frames = [s.original, { ...s.original, key: 'next-frame', captureId: 'next', takenAt: s.original.takenAt! + 500, phash: sources[5].original.phash, vector: near(s.original.vector!, 0.05) }];
    const wechat = s.copies[3];
    for (const order of [[wechat, ...frames], [...frames, wechat]]) {
      const g = new StackGrouper();
      for (const p of order) g.insert(p);
      expect(g.stackOf(wechat.key)).toEqual(g.stackOf('next-frame'));
      expect(members(g, wechat.key)).toEqual([s.original.key, wechat.key].sort());
    }
  });
});

describe('decisions and changes', () => {
  it('keeps pictures the person separated apart, now and when grouped again from scratch', () => {
    const s = sources[6];
    const seps = new SeparationSet();
    const g = new StackGrouper(DEFAULT_THRESHOLDS, seps);
    g.insertAll([s.original, ...s.copies]);
    seps.add(s.original.key, s.copies[0].key);
    const regrouped = g.regroup([s.original.key]);
    expect(regrouped.sort()).toEqual([s.original.key, ...s.copies.map((c) => c.key)].sort());
    const together = (x: StackGrouper): boolean => (x.nearGroupOf(s.original.key) ?? []).includes(s.copies[0].key);
    expect(together(g)).toBe(false);
    const again = new StackGrouper(DEFAULT_THRESHOLDS, seps);
    again.insertAll([...s.copies, s.original]);
    expect(together(again)).toBe(false);
  });

  it('takes back stored groups after a restart with their ids, and goes on from there', () => {
    const g = new StackGrouper();
    const frames = [sources[0], sources[1]].map((s, i) => ({ ...s.original, captureId: `shot-${i}`, takenAt: Date.UTC(2024, 0, 1) + i * 300, vector: near(sources[0].original.vector!, 0.02) }));
    const all = [...frames, sources[0].copies[0], sources[2].original, sources[2].copies[1]];
    g.insertAll(all);
    const stored = g.snapshot();
    expect(stored.bursts).toHaveLength(1);
    const restarted = new StackGrouper();
    restarted.restore(all, stored);
    expect(restarted.snapshot()).toEqual(stored);
    restarted.insert(sources[2].copies[2]);
    expect(restarted.stackOf(sources[2].copies[2].key)).toEqual(restarted.stackOf(sources[2].original.key));
    const ids = [...stored.near.map((n) => n.id), ...stored.bursts.map((b) => b.id)];
    restarted.insert({ ...sources[3].original, takenAt: null });
    restarted.insert(sources[3].copies[0]);
    expect(ids).not.toContain(restarted.stackOf(sources[3].original.key)!.id);
    expect(() => restarted.restore([], stored)).toThrow();
  });

  it('dissolves groups as their pictures go, and reports which stacks changed', () => {
    const s = sources[7];
    const g = new StackGrouper();
    g.insertAll([s.original, s.copies[0]]);
    const id = g.stackOf(s.original.key)!.id;
    expect(g.takeChanges()).toContain(id);
    g.remove(s.copies[0].key);
    expect(g.stackOf(s.original.key)).toBeNull();
    expect(g.takeChanges()).toEqual([id]);
    expect(g.snapshot()).toEqual({ near: [], bursts: [] });
    expect(g.size).toBe(1);
  });
});
