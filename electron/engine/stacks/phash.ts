/**
 * 64-bit perceptual hashes as two unsigned 32-bit halves, which is how they are compared (Hamming
 * distance with 32-bit popcounts; JavaScript has no fast 64-bit integer), and their two stored
 * forms: 16 hex digits (API, JSON) and a signed 64-bit SQLite INTEGER.
 */

export interface Phash64 {
  hi: number;
  lo: number;
}

const HEX64 = /^[0-9a-f]{16}$/;

export function parsePhash(hex: string): Phash64 {
  if (!HEX64.test(hex)) throw new RangeError(`not a 64-bit hash in hex: ${JSON.stringify(hex)}`);
  return { hi: parseInt(hex.slice(0, 8), 16) >>> 0, lo: parseInt(hex.slice(8), 16) >>> 0 };
}

export function formatPhash(h: Phash64): string {
  return (h.hi >>> 0).toString(16).padStart(8, '0') + (h.lo >>> 0).toString(16).padStart(8, '0');
}

/** Bits set in a 32-bit integer (SWAR). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function hammingDistance(a: Phash64, b: Phash64): number {
  return popcount32((a.hi ^ b.hi) >>> 0) + popcount32((a.lo ^ b.lo) >>> 0);
}

/** The hash as SQLite stores a 64-bit INTEGER (two's complement). */
export function phashToSql(hex: string): bigint {
  parsePhash(hex); // validates
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}

export function phashFromSql(v: bigint | number): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
}
