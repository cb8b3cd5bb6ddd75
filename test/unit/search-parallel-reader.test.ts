/**
 * Reads from several threads for the synchronous search path (vector-index/parallel-reader.ts):
 * ranges land where asked in shared memory, call after call, into changing destinations, with more
 * ranges than one call carries; a range past the end of the file is an error, not silent zeros.
 * And the index gives the same pages with reader threads as without.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RANGES, ParallelReader } from '../../electron/engine/search/vector-index/parallel-reader.ts';
import { CodesIndex } from '../../electron/engine/search/vector-index/codes-index.ts';
import { ExactVectors } from '../../electron/engine/search/vector-index/exact-vectors.ts';
import { Searcher } from '../../electron/engine/search/vector-index/searcher.ts';
import { mulberry32 as rng } from '../../scripts/random.ts';

let dir: string;
let file: string;
let bytes: Buffer;
const reader = new ParallelReader(3);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-reader-'));
  file = path.join(dir, 'data.bin');
  const rnd = rng(5);
  bytes = Buffer.from(Uint8Array.from({ length: 3 << 20 }, () => Math.floor(rnd() * 256)));
  fs.writeFileSync(file, bytes);
});

afterAll(() => {
  reader.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ParallelReader', () => {
  it('starts its helper threads, and says when they run', async () => {
    expect(reader.threads).toBe(3);
    await reader.ready();
  });

  it('is started as a large index opens (ExactVectors.prestart), so the first page read from the disk already has its threads', async () => {
    let reads = 0;
    class Counting extends ParallelReader {
      override read(...args: Parameters<ParallelReader['read']>): void {
        reads++;
        super.read(...args);
      }
    }
    const dim = 16;
    const exact = ExactVectors.open(path.join(dir, 'prestart.f32'), dim, { truncate: true });
    const started: Counting[] = [];
    try {
      exact.writeRun(0, new Float32Array(64 * dim).fill(0.5));
      exact.parallel = () => {
        const r = new Counting(2);
        started.push(r);
        return r;
      };
      exact.prestart();
      exact.prestart(); // once
      await exact.whenReady();
      expect(started).toHaveLength(1);
      const dest = new SharedArrayBuffer(64 * dim * 4);
      exact.readRows(Array.from({ length: 64 }, (_, i) => i), 64, dest, 0);
      expect(reads).toBe(1); // the very first page's reads went through the threads
      expect(new Float32Array(dest)[64 * dim - 1]).toBe(0.5);
    } finally {
      exact.close();
      for (const r of started) r.close();
    }
  });

  it('puts every range where it was asked, call after call, into different shared buffers', async () => {
    const fd = fs.openSync(file, 'r');
    try {
      const rnd = rng(6);
      for (let call = 0; call < 40; call++) {
        const dest = new SharedArrayBuffer(64 * 1024 + (call % 3) * 4096);
        const count = 1 + Math.floor(rnd() * 30);
        const len = 1 + Math.floor(rnd() * 2000);
        const positions = Array.from({ length: count }, () => Math.floor(rnd() * (bytes.length - len)));
        const offsets = Array.from({ length: count }, (_, i) => i * len);
        reader.read(fd, dest, positions, Array(count).fill(len), offsets, count);
        const got = new Uint8Array(dest);
        for (let i = 0; i < count; i++) expect(Buffer.compare(got.subarray(offsets[i]!, offsets[i]! + len), bytes.subarray(positions[i]!, positions[i]! + len))).toBe(0);
        if (call % 10 === 0) await new Promise((r) => setTimeout(r, 20)); // let helpers fall asleep between calls
      }
    } finally {
      fs.closeSync(fd);
    }
  });

  it('splits a request of more than MAX_RANGES ranges', () => {
    const fd = fs.openSync(file, 'r');
    try {
      const count = MAX_RANGES * 2 + 17;
      const dest = new SharedArrayBuffer(count * 16);
      const positions = Array.from({ length: count }, (_, i) => (i * 97) % (bytes.length - 16));
      reader.read(fd, dest, positions, Array(count).fill(16), positions.map((_, i) => i * 16), count);
      const got = Buffer.from(dest);
      for (const i of [0, MAX_RANGES - 1, MAX_RANGES, count - 1]) expect(Buffer.compare(got.subarray(i * 16, i * 16 + 16), bytes.subarray(positions[i]!, positions[i]! + 16))).toBe(0);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('fails on a range past the end of the file', () => {
    const fd = fs.openSync(file, 'r');
    try {
      const dest = new SharedArrayBuffer(4096);
      expect(() => reader.read(fd, dest, [0, 100, bytes.length - 10, 200], [16, 16, 16, 16], [0, 16, 32, 48], 4)).toThrow(/could not read 16 bytes/);
      // …and the next call works again.
      reader.read(fd, dest, [0, 100, 200], [16, 16, 16], [0, 16, 32], 3);
      expect(Buffer.compare(Buffer.from(dest, 16, 16), bytes.subarray(100, 116))).toBe(0);
    } finally {
      fs.closeSync(fd);
    }
  });
});

describe('the index with reader threads', () => {
  const dim = 64;
  const n = 6000;
  function build(): { index: CodesIndex; vectors: Float32Array[] } {
    const rnd = rng(11);
    const index = new CodesIndex(dim);
    const vectors: Float32Array[] = [];
    index.beginBulk();
    for (let i = 0; i < n; i++) {
      const v = Float32Array.from({ length: dim }, () => rnd() - 0.5 + (i % 7 === 0 ? 0.3 : 0));
      vectors.push(v);
      index.set(i + 1, v, { takenAt: i, folderId: 1 + (i % 3) });
    }
    index.endBulk();
    return { index, vectors };
  }

  it('answers every page as it does reading on one thread', () => {
    const { index, vectors } = build();
    const vfile = path.join(dir, 'vectors.f32');
    const plain = ExactVectors.open(vfile, dim, { truncate: true });
    vectors.forEach((v, i) => plain.write(i + 1, v));
    const threaded = ExactVectors.open(vfile, dim);
    threaded.useReader(reader); // as once reads were found slow
    let started = 0;
    plain.parallel = () => {
      started++;
      return reader;
    };
    const rnd = rng(12);
    for (let q = 0; q < 5; q++) {
      const query = Float32Array.from({ length: dim }, () => rnd() - 0.5);
      const a = new Searcher(index, plain);
      const b = new Searcher(index, threaded);
      let pa = a.page(query, 300);
      let pb = b.page(query, 300);
      for (let page = 0; page < 4; page++) {
        expect(pb.hits).toEqual(pa.hits);
        expect(pb.next).toEqual(pa.next);
        if (!pa.next) break;
        pa = a.page(query, 300, {}, pa.next);
        pb = b.page(query, 300, {}, pb.next!);
      }
    }
    // The file was just written: every read came from the page cache, too fast to start threads.
    expect(started).toBe(0);
    plain.close();
    threaded.close();
  });
});
