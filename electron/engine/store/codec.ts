/** Float32 vectors <-> SQLite blobs (little-endian float32, the layout sqlite-vec expects). */

export function toBlob(vec: Float32Array): Buffer {
  return Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength);
}

/** Copies: blobs from SQLite may sit at an offset that is not 4-byte aligned. */
export function fromBlob(blob: Buffer): Float32Array {
  if (blob.byteLength % 4 !== 0) throw new Error(`vector blob of ${blob.byteLength} bytes is not float32`);
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}
