/**
 * The KNN over one model's video frames that the segment search (video-segments.ts) runs: the
 * codes index of vector-index/ (sign codes → int8 → exact float32, the photo index's own
 * classes) once a model has more than `indexFrom` frames, sqlite-vec's exact scan below that and
 * while the index is built.
 *
 * Why: measured in docs/decisions/video.md — sqlite-vec's scan over 30 000 frames cost 40–200 ms a
 * query on the development VM (more with a large k), several times a page's whole budget; the
 * codes index answers the same in a few ms.
 *
 * Staying current without a change log of its own: frame ids only grow (AUTOINCREMENT) and
 * migration 7 counts frames added and removed per model (one row read per query). Frames added
 * since the index was built are read and added before answering; frames removed stay in the index
 * until a background rebuild (started once removals pass a tenth of its size) and are dropped from
 * every answer meanwhile (their rows are gone). Filters reach the index as allow lists of frame ids
 * built by SQL, so a video's move or new date is always current. Memory only: the exact vectors'
 * file lives in the temporary folder and goes with the process. Rows are numbered densely in the
 * index (frame ids grow with every re-read and would leave the vectors' file full of holes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { PhotoQuery } from '../store/photo-filter.ts';
import type { FrameHit, FrameScope, VideoFrameRepository } from '../store/video-frames.ts';
import { MAX_K } from '../store/vector-repository.ts';
import type { Logger } from '../util/log.ts';
import { CodesIndex } from './vector-index/codes-index.ts';
import { ExactVectors } from './vector-index/exact-vectors.ts';
import { kernelAvailable } from './vector-index/kernel.ts';
import { Searcher } from './vector-index/searcher.ts';

export interface FrameSearchOptions {
  /** Frames below which sqlite-vec answers (default 4096, sqlite-vec's largest k: it returns them all). */
  indexFrom?: number;
  /** 'sqlite': never build the index (SHIGUANG_VECTOR_INDEX=sqlite, one-shot CLI queries). */
  mode?: 'index' | 'sqlite';
  log?: Logger;
}

interface Built {
  index: CodesIndex;
  exact: ExactVectors;
  searcher: Searcher;
  file: string;
  /** Row number in the index → frame id, and back. */
  frameOf: number[];
  rowOf: Map<number, number>;
  /** The counters when it was read, and the last frame id in it. */
  added: number;
  removed: number;
  maxId: number;
}

const NO_META = { takenAt: 0, folderId: 0 };

export class FrameSearch {
  private built: Built | undefined;
  private building: Promise<void> | undefined;
  private closed = false;
  /** The path the last query took (tests, benchmarks). */
  lastPath: 'index' | 'sqlite' | undefined;

  constructor(
    readonly frames: VideoFrameRepository,
    private readonly opts: FrameSearchOptions = {},
  ) {}

  get dim(): number {
    return this.frames.dim;
  }

  hasAny(): boolean {
    return this.frames.hasAny();
  }

  frameCounts(photoIds: readonly number[]): Map<number, number> {
    return this.frames.frameCounts(photoIds);
  }

  frameTimes(photoIds: readonly number[]): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const [, photoId, t] of this.frames.framesOfVideos(photoIds)) {
      const list = out.get(photoId);
      if (list) list.push(t);
      else out.set(photoId, [t]);
    }
    for (const list of out.values()) list.sort((a, b) => a - b);
    return out;
  }

  /** The k frames nearest the query among those the filter and scope allow, nearest first. */
  knn(query: Float32Array, k: number, filter: PhotoQuery = {}, scope: FrameScope = {}): FrameHit[] {
    const b = this.current();
    if (!b) {
      this.lastPath = 'sqlite';
      return this.frames.knn(query, k, filter, scope);
    }
    this.lastPath = 'index';
    // Leaving videos out: over-fetch by their frames and drop them (an allow list of every other
    // frame would be the whole library's).
    const { exceptVideos, ...rest } = scope;
    if (exceptVideos?.length) {
      const extra = [...this.frames.frameCounts(exceptVideos).values()].reduce((a, n) => a + n, 0);
      const except = new Set(exceptVideos);
      return this.knn(query, k + extra, filter, rest)
        .filter((h) => !except.has(h.photoId))
        .slice(0, k);
    }
    const allowed = this.frames.frameIdsFor(filter, scope);
    const allow = allowed?.flatMap((id) => {
      const row = b.rowOf.get(id);
      return row === undefined ? [] : [row];
    });
    if (allow && allow.length === 0) return [];
    const page = b.searcher.page(query, Math.floor(k), allow ? { allow: [allow.sort((x, y) => x - y)] } : {});
    return this.frames.hitsOf(page.hits.map((h) => ({ frame_id: b.frameOf[h.photoId]!, distance: h.distance })));
  }

  /**
   * Every frame of these videos, scored against the query (a segment's neighbours): from the
   * exact vectors the index keeps, one read each — a few thousand frames in a few ms, where a KNN
   * over them costs its stages — or through sqlite-vec without the index.
   */
  scoreVideos(query: Float32Array, photoIds: readonly number[]): FrameHit[] {
    const b = this.current();
    const rows = this.frames.framesOfVideos(photoIds);
    const out: FrameHit[] = [];
    const missing = new Set<number>();
    let qq = 0;
    for (let i = 0; i < query.length; i++) qq += query[i]! * query[i]!;
    // A video's frames are consecutive rows of the index (built in id order): one read per run.
    const found = rows.flatMap(([frameId, photoId, t]) => {
      const row = b?.rowOf.get(frameId);
      if (row === undefined) missing.add(photoId);
      return row === undefined ? [] : [{ row, frameId, photoId, t }];
    });
    found.sort((x, y) => x.row - y.row);
    const dim = this.dim;
    for (let i = 0; i < found.length; ) {
      let j = i + 1;
      while (j < found.length && found[j]!.row === found[j - 1]!.row + 1 && j - i < 256) j++;
      const run = b!.exact.readRun(found[i]!.row, j - i);
      for (let k = i; k < j; k++) {
        const f = found[k]!;
        out.push({ frameId: f.frameId, photoId: f.photoId, t: f.t, score: cosine(query, qq, run.subarray((k - i) * dim, (k - i + 1) * dim)) });
      }
      i = j;
    }
    if (missing.size === 0) return out;
    // Without the index (or for frames it has not caught up with): sqlite-vec over those videos.
    const kept = out.filter((h) => !missing.has(h.photoId));
    const videos = [...missing];
    const counts = this.frames.frameCounts(videos);
    for (let i = 0; i < videos.length; ) {
      const chunk: number[] = [];
      let n = 0;
      while (i < videos.length && (chunk.length === 0 || n + (counts.get(videos[i]!) ?? 0) <= MAX_K)) {
        n += counts.get(videos[i]!) ?? 0;
        chunk.push(videos[i++]!);
      }
      kept.push(...this.frames.knn(query, Math.max(1, Math.min(n, MAX_K)), {}, { onlyVideos: chunk }));
    }
    return kept;
  }

  /** Resolves when no build is running (tests, benchmarks). */
  async whenIdle(): Promise<void> {
    while (this.building) await this.building;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.building?.catch(() => undefined);
    this.drop(this.built);
    this.built = undefined;
  }

  /** The index, caught up with the frames added since it was read; undefined when sqlite-vec must answer. */
  private current(): Built | undefined {
    if (this.opts.mode === 'sqlite' || this.closed || !kernelAvailable() || this.frames.inTransaction) return undefined;
    const ch = this.frames.changes();
    const count = ch.added - ch.removed;
    if (count < (this.opts.indexFrom ?? 4096)) return undefined;
    const b = this.built;
    if (!b) {
      this.startBuild();
      return undefined;
    }
    if (ch.added > b.added) {
      for (const f of this.frames.vectorsAfter(b.maxId)) {
        add(b, f.frameId, f.vector);
        b.maxId = Math.max(b.maxId, f.frameId);
      }
      b.added = ch.added;
      b.searcher.reset();
    }
    if (ch.removed - b.removed > b.index.size / 10) this.startBuild();
    return b;
  }

  private startBuild(): void {
    if (this.building || this.closed) return;
    const t0 = performance.now();
    this.building = this.build()
      .then((b) => {
        if (!b) return;
        const old = this.built;
        this.built = b;
        this.drop(old);
        this.opts.log?.info(`frame index ${this.frames.table}: ${b.index.size} frames in ${Math.round(performance.now() - t0)} ms`);
      })
      .catch((err: unknown) => this.opts.log?.warn(`frame index ${this.frames.table}: not built (${err instanceof Error ? err.message : String(err)}); frames are searched with sqlite-vec`))
      .finally(() => {
        this.building = undefined;
      });
  }

  /** Reads every frame vector into a new index, yielding to the event loop between batches. */
  private async build(): Promise<Built | undefined> {
    await yieldToEventLoop();
    const ch = this.frames.changes();
    const file = path.join(os.tmpdir(), `shiguang-frames-${process.pid}-${this.frames.table}-${Math.random().toString(36).slice(2)}.f32`);
    const exact = ExactVectors.open(file, this.dim, { truncate: true });
    const index = new CodesIndex(this.dim);
    const b: Built = { index, exact, searcher: new Searcher(index, exact), file, frameOf: [], rowOf: new Map(), added: ch.added, removed: ch.removed, maxId: 0 };
    try {
      index.reserve(ch.added - ch.removed);
      index.beginBulk();
      const dim = this.dim;
      for (const batch of this.frames.iterateVectors()) {
        if (this.closed) throw new Error('closed');
        for (let i = 0; i < batch.ids.length; i++) {
          add(b, batch.ids[i]!, batch.vectors.subarray(i * dim, (i + 1) * dim));
          b.maxId = Math.max(b.maxId, batch.ids[i]!);
        }
        await yieldToEventLoop();
      }
      index.endBulk();
      // Counters as of the start: frames added meanwhile have larger ids and are caught up on the next query.
      return b;
    } catch (err) {
      exact.close();
      fs.rmSync(file, { force: true });
      if (this.closed) return undefined;
      throw err;
    }
  }

  private drop(b: Built | undefined): void {
    if (!b) return;
    b.exact.close();
    fs.rmSync(b.file, { force: true });
  }
}

/** A frame as the index's next row (its vector also into the exact file). */
function add(b: Built, frameId: number, vector: Float32Array): void {
  if (b.rowOf.has(frameId)) return;
  const row = b.frameOf.length;
  b.frameOf.push(frameId);
  b.rowOf.set(frameId, row);
  b.index.set(row, vector, NO_META);
  b.exact.write(row, vector);
}

/**
 * Cosine similarity in double precision (within ~1e-7 of sqlite-vec's float32 formula, which
 * costs several times more in JavaScript: a few thousand frames are scored per query).
 */
function cosine(q: Float32Array, qq: number, v: Float32Array): number {
  let dot = 0;
  let vv = 0;
  for (let i = 0; i < q.length; i++) {
    const x = v[i]!;
    dot += q[i]! * x;
    vv += x * x;
  }
  return Math.fround(dot / Math.sqrt(qq * vv));
}
