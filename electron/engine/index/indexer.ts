/**
 * Turns the state of the watched folders into vectors: reconciles files with the index (new,
 * changed, renamed/moved, copied, deleted), then encodes what is pending. Every write goes
 * through one serial queue, and a photo only becomes `indexed` in the same transaction that
 * stores its vector, so a run killed at any point leaves work that the next run finishes.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type { IndexProgress } from '../../shared/api.ts';
import { hashFile } from '../library/file-identity.ts';
import { isIndexablePath, walkPhotos, type FoundFile } from '../library/scanner.ts';
import { preprocess, type PreprocessSpec } from '../media/decode.ts';
import { readMetadata, type PhotoMetadata } from '../media/metadata.ts';
import type { Library } from '../store/library.ts';
import type { VectorBatch, VectorRepository } from '../store/vector-repository.ts';
import { ProgressTracker } from './progress.ts';
import { SerialQueue } from '../util/serial-queue.ts';
import { runEncodePipeline, type PipelineItem } from './encode-pipeline.ts';

export interface ImageEmbedder {
  readonly preprocessSpec: PreprocessSpec;
  embedImageTensors(tensors: Float32Array[]): Promise<Float32Array[]>;
  imageBatchIsDynamic(): Promise<boolean>;
}

export interface IndexerOptions {
  /** Photos per encoder request (the worker loops when the graph's batch is fixed at 1). */
  batchSize?: number;
  decodeConcurrency?: number;
  /**
   * Called after each batch of photos gets vectors, with those vectors (zero-shot tagging hooks in
   * here, so it never reads them back from the store).
   */
  onIndexed?: (batch: VectorBatch) => void | Promise<void>;
}

export interface IndexSummary {
  scanned: number;
  added: number;
  changed: number;
  moved: number;
  copied: number;
  removed: number;
  encoded: number;
  skipped: number;
  seconds: number;
}

type Counts = Omit<IndexSummary, 'seconds' | 'encoded' | 'skipped' | 'scanned'>;
const emptyCounts = (): Counts => ({ added: 0, changed: 0, moved: 0, copied: 0, removed: 0 });

export class Indexer {
  readonly progress = new ProgressTracker();
  private readonly queue = new SerialQueue();
  private abort = new AbortController();

  constructor(
    private readonly lib: Library,
    private readonly vectors: VectorRepository,
    private readonly embedder: ImageEmbedder,
    private readonly opts: IndexerOptions = {},
  ) {}

  snapshot(): IndexProgress {
    return this.progress.snapshot();
  }

  /** Full pass over folders: add them as watched roots, reconcile, encode everything pending. */
  indexFolders(roots: string[]): Promise<IndexSummary> {
    return this.queue.run(async () => {
      const t0 = Date.now();
      const counts = emptyCounts();
      let scanned = 0;
      for (const root of roots) {
        const folder = this.lib.folders.add(path.resolve(root));
        scanned += await this.reconcileFolder(folder.id, folder.path, counts);
      }
      const { encoded, skipped } = await this.encodePending();
      return { scanned, ...counts, encoded, skipped, seconds: (Date.now() - t0) / 1000 };
    });
  }

  /** Watcher events, already debounced: files that appeared/changed and files that vanished. */
  applyChanges(changed: string[], removed: string[]): Promise<Counts & { encoded: number; skipped: number }> {
    return this.queue.run(async () => {
      const counts = emptyCounts();
      const vanished = new Set(removed.map((p) => path.resolve(p)));
      for (const p of changed) {
        const file = path.resolve(p);
        const folder = this.folderFor(file);
        if (!folder) continue;
        const st = await fs.promises.stat(file).catch(() => null);
        if (!st?.isFile()) {
          vanished.add(file);
          continue;
        }
        await this.reconcileFile(folder.id, { path: file, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) }, counts);
      }
      for (const file of vanished) {
        const row = this.lib.photos.getByPath(file);
        if (row && !fs.existsSync(file)) {
          this.lib.photos.delete(row.id);
          counts.removed++;
        }
      }
      const { encoded, skipped } = await this.encodePending();
      return { ...counts, encoded, skipped };
    });
  }

  removeFolder(folderId: number): Promise<boolean> {
    return this.queue.run(async () => this.lib.folders.remove(folderId));
  }

  /** Stop the current encoding pass soon; pending photos stay pending for the next run. */
  stop(): void {
    this.abort.abort();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private folderFor(file: string): { id: number; path: string } | undefined {
    return this.lib.folders
      .list()
      .filter((f) => isIndexablePath(f.path, file))
      .sort((a, b) => b.path.length - a.path.length)[0];
  }

  private async reconcileFolder(folderId: number, root: string, counts: Counts): Promise<number> {
    const known = new Map(this.lib.photos.listPathsUnder(folderId).map((r) => [r.path, r]));
    let scanned = 0;
    this.progress.working(root);
    for await (const found of walkPhotos(root)) {
      scanned++;
      known.delete(found.path);
      await this.reconcileFile(folderId, found, counts);
    }
    // Whatever is left was not found on disk: deleted (moves were matched by hash above).
    for (const gone of known.values()) {
      if (fs.existsSync(gone.path)) continue;
      this.lib.photos.delete(gone.id);
      counts.removed++;
    }
    return scanned;
  }

  /**
   * One file seen on disk. A new path whose bytes match a photo whose file is gone is a rename
   * or move: the old row (and its vector and tags) takes the new path. A new path whose bytes
   * match a photo that still exists is a copy: its vector is reused. Otherwise it is pending.
   */
  private async reconcileFile(folderId: number, found: FoundFile, counts: Counts): Promise<void> {
    const { row, change } = this.lib.photos.upsertDiscovered({ path: found.path, folderId, size: found.size, mtimeMs: found.mtimeMs });
    if (change === 'unchanged') return;
    if (change === 'changed') {
      counts.changed++;
      return; // re-encoded by encodePending; its hash is recomputed there
    }
    let hash: string;
    try {
      hash = await hashFile(found.path);
    } catch (err) {
      this.lib.photos.markSkipped(row.id, `unreadable: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const twin = this.lib.photos.findByHash(hash).find((p) => p.id !== row.id && p.size === found.size);
    if (twin && !fs.existsSync(twin.path)) {
      this.lib.photos.delete(row.id);
      this.lib.photos.move(twin.id, found.path, folderId);
      this.lib.photos.update(twin.id, { mtimeMs: found.mtimeMs });
      counts.moved++;
      return;
    }
    this.lib.photos.setHash(row.id, hash);
    const twinVector = twin && twin.status === 'indexed' ? this.vectors.get(twin.id) : undefined;
    if (twin && twinVector) {
      this.lib.transaction(() => {
        this.lib.photos.copyIndexedMetadata(twin.id, row.id);
        this.vectors.upsert(row.id, twinVector);
      });
      counts.copied++;
      await this.opts.onIndexed?.({ ids: Int32Array.of(row.id), vectors: twinVector });
      return;
    }
    counts.added++;
  }

  /** Encode every photo that is pending or lacks a vector for the active model. */
  private async encodePending(): Promise<{ encoded: number; skipped: number }> {
    this.abort = new AbortController();
    const items: PipelineItem[] = [
      ...this.lib.photos.listPending(Number.MAX_SAFE_INTEGER),
      ...this.lib.photos.missingVectors(this.vectors.modelRowId, Number.MAX_SAFE_INTEGER),
    ].map((p) => ({ photoId: p.id, path: p.path, hash: p.hash }));
    if (items.length === 0) return { encoded: 0, skipped: 0 };
    this.progress.start(items.length);
    const dynamic = await this.embedder.imageBatchIsDynamic();
    const batchSize = this.opts.batchSize ?? (dynamic ? 8 : 4);
    const spec = this.embedder.preprocessSpec;
    try {
      return await runEncodePipeline<{ meta: PhotoMetadata; width: number; height: number; hash: string }>(
        items,
        {
          decode: async (item) => {
            // A new file was hashed by reconcile (to recognise moves and copies); only a changed
            // one, whose hash reconcile cleared, is hashed here.
            const [pre, meta, hash] = await Promise.all([
              preprocess(item.path, spec),
              readMetadata(item.path).catch(() => emptyMetadata()),
              item.hash ?? hashFile(item.path),
            ]);
            return { data: { meta, width: pre.width, height: pre.height, hash }, tensor: pre.tensor };
          },
          encode: (tensors) => this.embedder.embedImageTensors(tensors),
          persist: async (done) => {
            const stored: typeof done = [];
            this.lib.transaction(() => {
              for (const d of done) {
                const row = this.lib.photos.get(d.item.photoId);
                if (!row) continue; // deleted while it was being encoded
                const takenAt = d.data.meta.takenAt?.getTime() ?? row.mtimeMs;
                this.lib.photos.setHash(row.id, d.data.hash);
                this.lib.photos.markIndexed(row.id, {
                  width: d.data.width,
                  height: d.data.height,
                  takenAt,
                  takenAtSource: d.data.meta.takenAt ? 'exif' : 'mtime',
                  cameraMake: d.data.meta.cameraMake,
                  cameraModel: d.data.meta.cameraModel,
                  gpsLat: d.data.meta.gps?.lat ?? null,
                  gpsLon: d.data.meta.gps?.lon ?? null,
                });
                this.vectors.upsert(row.id, d.vector);
                stored.push(d);
              }
            });
            if (stored.length) await this.opts.onIndexed?.(packBatch(stored, this.vectors.dim));
          },
          skip: (item, reason) => {
            if (this.lib.photos.get(item.photoId)) this.lib.photos.markSkipped(item.photoId, reason);
          },
          onProgress: (n, current) => {
            if (current) this.progress.working(current);
            if (n) this.progress.completed(n);
          },
        },
        {
          batchSize,
          // One decoder per two cores: decoding (~15 ms of CPU a photo) keeps well ahead of the
          // encoder (~140 ms), and every extra decoder takes cycles from ONNX Runtime's threads
          // on a small machine.
          decodeConcurrency: this.opts.decodeConcurrency ?? Math.min(4, Math.max(1, Math.floor(os.availableParallelism() / 2))),
          maxAhead: batchSize * 2,
          signal: this.abort.signal,
        },
      );
    } finally {
      this.progress.finish();
    }
  }
}

function packBatch(done: readonly { item: PipelineItem; vector: Float32Array }[], dim: number): VectorBatch {
  const vectors = new Float32Array(done.length * dim);
  done.forEach((d, i) => vectors.set(d.vector, i * dim));
  return { ids: Int32Array.from(done, (d) => d.item.photoId), vectors };
}

function emptyMetadata(): PhotoMetadata {
  return { takenAt: null, cameraMake: null, cameraModel: null, gps: null, orientation: null };
}
