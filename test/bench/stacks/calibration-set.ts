/**
 * The calibration set, decoded and embedded the way the indexer does it (one decode gives the
 * model tensor and the fingerprint): real photos with their transformed copies (the near kind),
 * and real video frames 200 ms apart cut into 2-second "bursts" (the burst kind), each burst
 * followed half a second later by a photo of something else from the same "camera".
 */
import fs from 'node:fs';
import path from 'node:path';
import { preprocess } from '../../../electron/engine/media/decode.ts';
import type { ModelRuntime } from '../../../electron/engine/ml/model-runtime.ts';
import { l2NormaliseInPlace } from '../../../electron/engine/ml/vectors.ts';
import { parsePhash } from '../../../electron/engine/stacks/phash.ts';
import type { Picture } from '../../../electron/engine/stacks/relations.ts';
import { listImages, variantsOf } from './transformed-set.ts';

export interface Item {
  picture: Picture;
  /** Same-picture truth: items with one `source` and expected=true are copies of one picture. */
  source: string;
  variant: string;
  expected: boolean;
  /** Burst truth: frames with one burst id belong together; null for everything else. */
  burst: string | null;
  width: number;
  height: number;
  sharpness: number;
  bytes: number;
}

export const FRAME_MS = 200;
export const FRAMES_PER_BURST = 10;

async function embed(runtime: ModelRuntime, bytes: Buffer): Promise<{ vector: Float32Array; phash: string; sharpness: number; width: number; height: number }> {
  const pre = await preprocess(bytes, runtime.preprocessSpec, { fingerprint: true });
  const [vector] = await runtime.embedImageTensors([pre.tensor]);
  return { vector: l2NormaliseInPlace(vector), phash: pre.fingerprint!.phash, sharpness: pre.fingerprint!.sharpness, width: pre.width, height: pre.height };
}

/** Originals carry EXIF-like facts (one capture each, an hour apart); copies have lost them, as chat apps and converters do. */
export async function nearItems(runtime: ModelRuntime, sources: string[], log: (m: string) => void): Promise<Item[]> {
  const items: Item[] = [];
  for (const [i, file] of sources.entries()) {
    let variants;
    try {
      variants = await variantsOf(file);
    } catch (err) {
      log(`skipping ${file}: ${(err as Error).message}`);
      continue;
    }
    const source = path.relative(path.resolve('..'), file);
    for (const v of variants) {
      const e = await embed(runtime, v.bytes);
      const exif = v.name === 'copy';
      const key = v.name === 'copy' ? `${source}#original` : `${source}#${v.name}`;
      items.push({
        picture: {
          key,
          phash: parsePhash(e.phash),
          vector: e.vector,
          takenAt: exif ? Date.UTC(2020, 0, 1) + i * 3_600_000 : null,
          camera: exif ? 'bench\u0000camera' : null,
          captureId: exif ? `capture-${i}` : null,
          burstKey: null,
        },
        source,
        variant: v.name,
        expected: v.expected,
        burst: null,
        width: e.width,
        height: e.height,
        sharpness: e.sharpness,
        bytes: v.bytes.length,
      });
    }
    // The byte-identical copy (exact kind): one more photo of the same content hash.
    if (i % 10 === 0) log(`near set: ${i + 1}/${sources.length} photos`);
  }
  return items;
}

/** Each folder under `dir` holds one video's frames, FRAME_MS apart, in name order. */
export async function burstItems(runtime: ModelRuntime, dir: string, intruders: string[], log: (m: string) => void): Promise<Item[]> {
  const items: Item[] = [];
  const videos = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
  let t = Date.UTC(2024, 0, 1);
  let intruder = 0;
  for (const video of videos) {
    const frames = listImages(path.join(dir, video));
    const camera = `video\u0000${video}`;
    for (let s = 0; s * FRAMES_PER_BURST < frames.length; s++) {
      const burst = `${video}:${s}`;
      const chunk = frames.slice(s * FRAMES_PER_BURST, (s + 1) * FRAMES_PER_BURST);
      if (chunk.length < 2) break;
      for (const [k, file] of chunk.entries()) {
        const bytes = fs.readFileSync(file);
        const e = await embed(runtime, bytes);
        const key = `${video}/${path.basename(file)}`;
        items.push({
          picture: { key, phash: parsePhash(e.phash), vector: e.vector, takenAt: t + k * FRAME_MS, camera, captureId: key, burstKey: null },
          source: key,
          variant: 'frame',
          expected: true,
          burst,
          width: e.width,
          height: e.height,
          sharpness: e.sharpness,
          bytes: bytes.length,
        });
      }
      // Something else, half a second after the burst, from the same camera.
      if (intruders.length) {
        const file = intruders[intruder++ % intruders.length];
        const bytes = fs.readFileSync(file);
        const e = await embed(runtime, bytes);
        const key = `intruder:${burst}:${path.basename(file)}`;
        items.push({
          picture: { key, phash: parsePhash(e.phash), vector: e.vector, takenAt: t + (chunk.length - 1) * FRAME_MS + 500, camera, captureId: key, burstKey: null },
          source: key,
          variant: 'intruder',
          expected: true,
          burst: null,
          width: e.width,
          height: e.height,
          sharpness: e.sharpness,
          bytes: bytes.length,
        });
      }
      t += 60_000;
    }
    log(`burst set: ${video} (${frames.length} frames)`);
  }
  return items;
}
