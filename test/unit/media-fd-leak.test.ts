/**
 * Reading a photo must give back every file descriptor it opened, whatever the file holds: files
 * of 0–4 bytes used to leave one open each inside exifr (freed only by the garbage collector, with
 * "Closing file descriptor N on garbage collection"), so a long watch over such files ran out.
 * Counted through /proc/self/fd (Linux), before and after, with no GC in between.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetadata } from '../../electron/engine/media/metadata.ts';
import { preprocess, type PreprocessSpec } from '../../electron/engine/media/decode.ts';
import { hashFile } from '../../electron/engine/library/file-identity.ts';

const spec: PreprocessSpec = { resolution: 32, mean: [0, 0, 0], std: [1, 1, 1], resize: 'bicubic' };
const openFds = (): number => fs.readdirSync('/proc/self/fd').length;
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

let dir: string;
const files: string[] = [];
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-fd-'));
  const prefixes = [[], [0xff], [0xff, 0xd8], [0xff, 0xd8, 0xff], [0xff, 0xd8, 0xff, 0xe1], [0x49, 0x49, 0x2a, 0], [0x4d, 0x4d, 0, 0x2a], [0x89, 0x50], [0x47, 0x49, 0x46]];
  let n = 0;
  for (let round = 0; round < 20; round++) {
    for (const p of prefixes) {
      const f = path.join(dir, `tiny-${n++}.jpg`);
      fs.writeFileSync(f, Buffer.from(p));
      files.push(f);
    }
    for (let size = 1; size <= 4; size++) {
      const f = path.join(dir, `rand-${n++}.jpg`);
      fs.writeFileSync(f, Buffer.from(Array.from({ length: size }, (_, i) => (round * 31 + i * 7 + size) & 0xff)));
      files.push(f);
    }
  }
  // A JPEG whose EXIF segment claims more bytes than the file has.
  const badExif = path.join(dir, 'bad-exif.jpg');
  fs.writeFileSync(badExif, Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xf0, 0x45, 0x78, 0x69, 0x66, 0, 0, 0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 0xff, 0xff]));
  files.push(badExif);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('file descriptors', () => {
  it('readMetadata on ~270 files of 0–22 bytes leaves no descriptor open', async () => {
    await settle();
    const before = openFds();
    for (const f of files) expect(await readMetadata(f)).toMatchObject({ takenAt: null });
    await settle();
    expect(openFds() - before).toBeLessThanOrEqual(1);
  });

  it('the indexer’s per-file work (decode, metadata, hash) leaves no descriptor open', async () => {
    await settle();
    const before = openFds();
    for (const f of files) {
      await Promise.allSettled([preprocess(f, spec), readMetadata(f), hashFile(f)]);
    }
    await settle();
    expect(openFds() - before).toBeLessThanOrEqual(1);
  });
});
