import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelRuntime } from '../../electron/engine/ml/model-runtime.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');

describe('encoder worker lifecycle', () => {
  it('lets in-flight requests finish when the runtime is closed', async () => {
    const runtime = ModelRuntime.load(path.join(models, 'toy-colors'), { threads: 1 });
    await runtime.warm('text');
    const inFlight = runtime.embedTexts(['红色', '蓝色', '绿色', '黄色']);
    await runtime.close();
    const vectors = await inFlight;
    expect(vectors).toHaveLength(4);
    expect(vectors[0].length).toBe(16);
  });

  it('batches on a dynamic batch axis give the same vectors as single runs', async () => {
    const runtime = ModelRuntime.load(path.join(models, 'tiny'), { threads: 1 });
    try {
      expect(await runtime.imageBatchIsDynamic()).toBe(true);
      const r = runtime.model.manifest.image.resolution;
      const tensors = [0.1, -0.5, 0.9].map((x) => new Float32Array(3 * r * r).fill(x).map((v, i) => v + (i % 7) * 0.01));
      const single: Float32Array[] = [];
      for (const t of tensors) single.push((await runtime.embedImageTensors([t.slice()]))[0]);
      const batched = await runtime.embedImageTensors(tensors.map((t) => t.slice()));
      batched.forEach((v, i) => v.forEach((x, j) => expect(x).toBeCloseTo(single[i][j], 5)));
      expect(Math.hypot(...batched[0])).toBeCloseTo(1, 5);
    } finally {
      await runtime.close();
    }
  });
});
