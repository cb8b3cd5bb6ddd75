/**
 * Messages about files describe what was found (a guessed kind, a size) and never quote bytes:
 * a "photo" named .jpg may be a password file, and a skip reason ends up in the database, the
 * API (listSkipped, photo) and logs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeForModel, DecodeError } from '../../electron/engine/media/decode.ts';
import { describeUnknownContent, safeDecoderDetail } from '../../electron/engine/media/describe.ts';
import { rejectionOf } from '../support/rejection.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'media-nocontent-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const failure = (file: string): Promise<DecodeError> => rejectionOf(decodeForModel(file, { resolution: 64, mean: [0, 0, 0], std: [1, 1, 1], resize: 'bicubic' }), DecodeError);

/** Every way the bytes could leak into a message: raw, hex (either case, spaced or not), base64. */
function leaks(message: string, bytes: Buffer): string[] {
  const probe = bytes.subarray(0, 8);
  const hex = probe.toString('hex');
  const forms = [probe.toString('latin1').slice(0, 6), hex, hex.toUpperCase(), hex.match(/../g)!.join(' '), probe.toString('base64').slice(0, 8)];
  return forms.filter((f) => f.trim().length >= 4 && message.includes(f));
}

describe('no file content in messages', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['passwd.jpg', Buffer.from('root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n'), /looks like text, \d+ bytes/],
    ['key.png', Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n'), /looks like text/],
    ['page.jpg', Buffer.from('<!DOCTYPE html><html><body>secret</body></html>'), /an HTML page/],
    ['doc.jpeg', Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(100, 0x41)]), /a PDF document/],
    ['clip.heic', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(80)]), /a video/],
    ['random.webp', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff)), /binary data of an unknown kind, 300 bytes/],
    ['tiny.jpg', Buffer.from('ro'), /only 2 bytes/],
  ];
  for (const [name, bytes, expected] of cases) {
    it(`${name}: says what it looks like, quotes nothing`, async () => {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      const err = await failure(file);
      expect(err.reason).toBe('not-an-image');
      expect(err.message).toMatch(expected);
      expect(leaks(err.message, bytes)).toEqual([]);
    });
  }

  it('describeUnknownContent never echoes the header', () => {
    const header = Buffer.from('root:x:0:0:root');
    const text = describeUnknownContent(header, 1234);
    expect(text).toBe('looks like text, 1 KB');
    expect(leaks(text, header)).toEqual([]);
  });

  it('decoder details lose quoted bytes but keep the words and the file name', () => {
    expect(safeDecoderDetail('bad marker 0x726f6f74 at offset 12')).toBe('bad marker … at offset 12');
    expect(safeDecoderDetail('header \\x72\\x6f\\x6f\\x74 unexpected')).toBe('header … unexpected');
    expect(safeDecoderDetail('saw 72 6f 6f 74 3a 78 3a 30 instead')).toMatch(/^saw … instead/);
    expect(safeDecoderDetail('VipsJpeg: Premature end of input file\nmore')).toBe('VipsJpeg: Premature end of input file');
    // Dates and digits-only names are not mistaken for bytes.
    expect(safeDecoderDetail('"/p/IMG_20230101_123456.jpg" is broken')).toBe('"/p/IMG_20230101_123456.jpg" is broken');
    expect(safeDecoderDetail('"/p/a.jpg": bad', '/p/a.jpg')).toBe('"the file": bad');
  });
});
