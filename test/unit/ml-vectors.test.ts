import { describe, expect, it } from 'vitest';
import { dot, float16ToFloat32, float32ToFloat16, l2NormaliseInPlace } from '../../electron/engine/ml/vectors.ts';

describe('vector helpers', () => {
  it('normalises to unit length and leaves zero vectors alone', () => {
    const v = l2NormaliseInPlace(new Float32Array([3, 4]));
    expect(Array.from(v)).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(dot(v, v)).toBeCloseTo(1, 6);
    expect(Array.from(l2NormaliseInPlace(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
  it('round-trips float16 within half precision', () => {
    const xs = new Float32Array([0, 1, -2.5, 0.333, 65504, 1e-5, -1e-8, 12345.6]);
    const back = float16ToFloat32(float32ToFloat16(xs));
    xs.forEach((x, i) => expect(Math.abs(back[i] - x)).toBeLessThanOrEqual(Math.abs(x) * 1e-3 + 1e-7));
    expect(float16ToFloat32(float32ToFloat16(new Float32Array([1e6])))[0]).toBe(Infinity);
    expect(Array.from(float32ToFloat16(new Float32Array([1, -2])))).toEqual([0x3c00, 0xc000]);
  });
});
