/**
 * Encoding what a pass left pending: decode ahead of the encoder (encode-pipeline.ts), store each
 * batch's vectors and indexed details in one transaction, skip what cannot be read with its reason.
 * Of byte-identical copies waiting together, one is encoded and the others take its vector
 * (identical-copies.ts); copies whose twin got no vector are read on their own afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import { hashFile } from '../library/file-identity.ts';
import type { LibraryBounds } from '../library/link-policy.ts';
import { preprocess } from '../media/decode.ts';
import type { PixelFingerprint } from '../media/fingerprint.ts';
import { emptyMetadata, readMetadata, type PhotoMetadata } from '../media/metadata.ts';
import type { Library } from '../store/library.ts';
import type { VectorBatch, VectorRepository } from '../store/vector-repository.ts';
import type { ProgressTracker } from '../util/progress.ts';
import { runEncodePipeline, type PipelineItem } from './encode-pipeline.ts';
import { IdenticalCopies } from './identical-copies.ts';
import type { ImageEmbedder, IndexerOptions } from './indexer.ts';

export interface Encoded {
  encoded: number;
  /** Byte-identical copies given the vector of the one encoded. */
  reused: number;
  skipped: number;
}

export interface EncodeContext {
  lib: Library;
  vectors: VectorRepository;
  embedder: ImageEmbedder;
  progress: ProgressTracker;
  opts: IndexerOptions;
  signal: AbortSignal;
}

/** Encodes `items` (photos of roots that are there), each content once. */
export async function encodeOnceEach(items: PipelineItem[], bounds: LibraryBounds, ctx: EncodeContext): Promise<Encoded> {
  ctx.progress.start(items.length);
  try {
    const copies = new IdenticalCopies(items);
    const first = await encodeItems(copies.leaders, bounds, copies, ctx);
    const rest = copies.unclaimed();
    if (rest.length === 0 || ctx.signal.aborted) return first;
    const second = await encodeItems(rest, bounds, null, ctx);
    return { encoded: first.encoded + second.encoded, reused: first.reused + second.reused, skipped: first.skipped + second.skipped };
  } finally {
    ctx.progress.finish();
  }
}

async function encodeItems(items: PipelineItem[], bounds: LibraryBounds, copies: IdenticalCopies | null, ctx: EncodeContext): Promise<Encoded> {
  let reused = 0;
  const dynamic = await ctx.embedder.imageBatchIsDynamic();
  const batchSize = ctx.opts.batchSize ?? (dynamic ? 8 : 4);
  const spec = ctx.embedder.preprocessSpec;
  const result = await runEncodePipeline<{ meta: PhotoMetadata; width: number; height: number; hash: string; fingerprint?: PixelFingerprint }>(
    items,
    {
      decode: async (item) => {
        // Checked again just before reading: the file may have become a link since the scan.
        // A new file was hashed by reconcile (to recognise moves and copies); only a changed
        // one, whose hash reconcile cleared, is hashed here.
        const file = await bounds.checkReadable(item.path);
        // The pixel fingerprint (stacks: copies and bursts) comes from the raster decoded here.
        const [pre, meta, hash] = await Promise.all([
          preprocess(file, spec, { fingerprint: true }),
          readMetadata(file).catch(() => emptyMetadata()),
          item.hash ?? hashFile(file),
        ]);
        return { data: { meta, width: pre.width, height: pre.height, hash, fingerprint: pre.fingerprint }, tensor: pre.tensor };
      },
      encode: (tensors) => ctx.embedder.embedImageTensors(tensors),
      persist: async (done) => {
        const stored: typeof done = [];
        const reusedBefore = reused;
        ctx.lib.transaction(() => {
          for (const d of done) {
            const row = ctx.lib.photos.get(d.item.photoId);
            if (!row) continue; // deleted while it was being encoded
            const takenAt = d.data.meta.takenAt?.getTime() ?? row.mtimeMs;
            ctx.lib.photos.setHash(row.id, d.data.hash);
            ctx.lib.photos.markIndexed(row.id, {
              width: d.data.width,
              height: d.data.height,
              takenAt,
              takenAtSource: d.data.meta.takenAt ? 'exif' : 'mtime',
              cameraMake: d.data.meta.cameraMake,
              cameraModel: d.data.meta.cameraModel,
              gpsLat: d.data.meta.gps?.lat ?? null,
              gpsLon: d.data.meta.gps?.lon ?? null,
            });
            ctx.vectors.upsert(row.id, d.vector);
            if (d.data.fingerprint) {
              const c = d.data.meta.capture;
              ctx.lib.pictureFacts.save({ hash: d.data.hash, ...d.data.fingerprint, subSecMs: c.subSecMs, uniqueId: c.imageUniqueId, burstId: c.burstId });
            }
            stored.push(d);
            // Its copies waiting in this pass take what it was given, as a copy of an indexed photo does in settle().
            for (const copy of copies?.take(d.data.hash) ?? []) {
              if (!ctx.lib.photos.get(copy.photoId)) continue;
              ctx.lib.photos.copyIndexedMetadata(row.id, copy.photoId);
              ctx.vectors.upsert(copy.photoId, d.vector);
              stored.push({ ...d, item: copy });
              reused++;
            }
          }
        });
        if (reused > reusedBefore) ctx.progress.completed(reused - reusedBefore);
        if (stored.length) await ctx.opts.onIndexed?.(packBatch(stored, ctx.vectors.dim));
      },
      skip: (item, reason) => {
        // A file that vanished as it was about to be read, or while it was read, stays pending:
        // the failure says nothing about its content, and the next batch or pass either finds
        // it again (moved) or removes its row (deleted).
        if (reason.startsWith('vanished:') || !fs.existsSync(item.path)) return;
        // A transaction, so a store failure (a full disk) arrives typed, like persist's.
        ctx.lib.transaction(() => {
          if (ctx.lib.photos.get(item.photoId)) ctx.lib.photos.markSkipped(item.photoId, reason);
        });
      },
      onProgress: (n, current) => {
        if (current) ctx.progress.working(current);
        if (n) ctx.progress.completed(n);
      },
    },
    {
      batchSize,
      // One decoder per two cores: decoding (~15 ms of CPU a photo) keeps well ahead of the
      // encoder (~140 ms), and every extra decoder takes cycles from ONNX Runtime's threads
      // on a small machine.
      decodeConcurrency: ctx.opts.decodeConcurrency ?? Math.min(4, Math.max(1, Math.floor(os.availableParallelism() / 2))),
      maxAhead: batchSize * 2,
      signal: ctx.signal,
    },
  );
  return { ...result, reused };
}

function packBatch(done: readonly { item: PipelineItem; vector: Float32Array }[], dim: number): VectorBatch {
  const vectors = new Float32Array(done.length * dim);
  done.forEach((d, i) => vectors.set(d.vector, i * dim));
  return { ids: Int32Array.from(done, (d) => d.item.photoId), vectors };
}
