/**
 * The check a downloaded or imported model must pass before it is installed: both graphs load,
 * match their manifest, and a test encode of an image and a Chinese text gives finite vectors of
 * the declared dimension. Runs on the CPU so a GPU quirk cannot reject a good export.
 */
import { ModelRuntime } from './model-runtime.ts';

export async function validateModelDir(dir: string): Promise<void> {
  const runtime = ModelRuntime.load(dir, { provider: 'cpu' });
  try {
    const r = runtime.model.manifest.image.resolution;
    const [img] = await runtime.embedImageTensors([new Float32Array(3 * r * r)]);
    const [txt] = await runtime.embedTexts(['一张测试照片']);
    for (const [what, v] of [['image', img], ['text', txt]] as const) {
      if (v.length !== runtime.dim) throw new Error(`${what} embedding has ${v.length} values, manifest says ${runtime.dim}`);
      if (!v.every(Number.isFinite)) throw new Error(`${what} embedding contains NaN or infinity`);
    }
  } finally {
    await runtime.close();
  }
}
