/**
 * Content identity of a photo: a SHA-256 of its bytes. It is what lets a renamed or moved photo
 * keep its vector (same hash, new path) and a byte-identical copy reuse one without re-encoding.
 * Streaming keeps memory flat for large RAW-sized files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';

export async function hashFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
