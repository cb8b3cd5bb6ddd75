/**
 * Videos as a registered pass: a video is an item of the library like a photo (found by the
 * scanner, kept across moves by reconcile), but instead of one vector it gets the vectors of its
 * sampled frames, here. A video is owed until the target model has its frames; reading it is
 * video/read-video.ts (one decoder process, timeouts, nothing left behind) plus the image tower
 * (read-one.ts), and it becomes `indexed` in the same transaction that stores its frames.
 *
 * Why a pass and not the indexer's pipeline (measured in docs/decisions/video.md, "Wiring"): the
 * scheduler runs it only while no photo waits to be embedded, and it yields again before every
 * frame, so a folder of videos never holds up photos arriving meanwhile; priority 15 puts it after
 * tags (cheap) and before OCR (slow), so a new video is searchable as soon as the photos around it
 * are.
 *
 * Bad input ends as the decoder module documents (video/errors.ts): a retryable reason leaves the
 * video owed — still being copied (run again when it has been quiet for QUIET_MS), stopped,
 * no decoder on this install (the pass then waits as 'unavailable'), a timeout (at most
 * MAX_TIMEOUTS in one process) — and every other reason is a recorded skip with its reason, which
 * `status` lists like a photo's.
 */
import type { PassWait } from '../../shared/api.ts';
import { LibraryBounds, PolicySkip } from '../library/link-policy.ts';
import type { PassContext, PassCounts, PassItem, PassReport, PhotoPass } from '../passes/pass.ts';
import type { Library } from '../store/library.ts';
import type { PhotoRow } from '../store/rows.ts';
import type { VideoFrameRepository } from '../store/video-frames.ts';
import type { Logger } from '../util/log.ts';
import { VideoError } from '../video/errors.ts';
import { videoTools, VideoToolsMissingError } from '../video/ffmpeg.ts';
import { QUIET_MS } from '../video/settled.ts';
import type { FrameImages } from './frame-images.ts';
import { readOneVideo, type FrameEmbedder, type ReadOneOptions } from './read-one.ts';

export const VIDEO_PASS = 'videos';

/** The model frames are made for: the target model (during a switch, the new one). */
export interface VideoPassModel {
  frames: VideoFrameRepository;
  embedder: FrameEmbedder & { imageBatchIsDynamic(): Promise<boolean> };
}

export type VideoPassOptions = Partial<Pick<ReadOneOptions, 'intervalS' | 'sceneThreshold' | 'keyframesOnlyAfterS' | 'threads' | 'quietMs' | 'stallMs'>>;

/** Timeouts tolerated per video in one process before it is skipped as 'timeout'. */
const MAX_TIMEOUTS = 2;

type Outcome = 'indexed' | 'skipped' | 'left';
/** What the pass knew of a video's row when it began reading it. */
type KnownVideo = Pick<PhotoRow, 'id' | 'path' | 'size' | 'mtimeMs' | 'hash'>;

export class VideoFramesPass implements PhotoPass {
  readonly name = VIDEO_PASS;
  readonly priority = 15;
  /** One video per run() call: the scheduler waits for the indexer between videos. */
  readonly batchSize = 1;
  readonly usesVectors = false;
  private readonly timeouts = new Map<number, number>();
  private summary = { indexed: 0, copied: 0, skipped: 0, waiting: 0 };
  private decoder: { checkedAt: number; problem: string | null } | null = null;

  constructor(
    private readonly lib: Library,
    private readonly model: () => VideoPassModel,
    private readonly images: FrameImages,
    private readonly log: Logger,
    private readonly opts: VideoPassOptions = {},
  ) {}

  counts(): PassCounts {
    return this.lib.videos.counts(this.model().frames.modelRowId);
  }

  owed(limit: number, afterId: number): PassItem[] {
    return this.lib.videos.owed(this.model().frames.modelRowId, limit, afterId);
  }

  blocked(): PassWait | null {
    return this.decoderProblem() ? 'unavailable' : null;
  }

  /** Why this install cannot decode videos (no ffmpeg for the platform), or null; looked up again every minute. */
  decoderProblem(): string | null {
    if (!this.decoder || Date.now() - this.decoder.checkedAt > 60_000) {
      let problem: string | null = null;
      try {
        videoTools();
      } catch (err) {
        if (!(err instanceof VideoToolsMissingError)) throw err;
        problem = err.message;
      }
      this.decoder = { checkedAt: Date.now(), problem };
    }
    return this.decoder.problem;
  }

  async run(batch: PassItem[], ctx: PassContext): Promise<void> {
    const bounds = await LibraryBounds.resolve(this.lib.folders.list().map((f) => f.path));
    for (const item of batch) {
      if (ctx.signal.aborted) return;
      ctx.working(item.path);
      const outcome = await this.readAndStore(item, bounds, ctx);
      if (outcome !== 'left') ctx.completed(1);
      // A new indexed item: the passes before this one (places) owe it.
      if (outcome === 'indexed') ctx.retryAfter?.(0);
      ctx.working(null);
    }
  }

  private async readAndStore(item: PassItem, bounds: LibraryBounds, ctx: PassContext): Promise<Outcome> {
    const row = this.lib.photos.get(item.id);
    if (!row || row.kind !== 'video' || row.path !== item.path) return 'left';
    let file: string;
    try {
      file = await bounds.checkReadable(row.path);
    } catch (err) {
      if (!(err instanceof PolicySkip)) throw err;
      // Gone as it was about to be read: the indexer's next pass moves or removes its row.
      if (err.reason === 'vanished') return 'left';
      return this.skip(row.id, row.path, `${err.reason}: ${err.message}`);
    }
    const { frames, embedder } = this.model();
    const copied = this.copyFromTwin(row, frames);
    if (copied) return copied;
    try {
      const batch = (await embedder.imageBatchIsDynamic()) ? 8 : 1;
      const read = await readOneVideo(file, row, embedder, this.images, { ...this.opts, signal: ctx.signal, yieldTo: ctx.yieldTo, batch });
      const stored = this.lib.transaction(() => {
        // Changed or moved while it was read: its row is owed again with what is there now.
        if (!this.unchanged(row)) return false;
        frames.replace(row.id, read.frames);
        return this.lib.videos.markIndexed(row.id, read.meta);
      });
      if (!stored) return 'left';
      this.summary.indexed++;
      this.timeouts.delete(row.id);
      return 'indexed';
    } catch (err) {
      // The encoder's worker gone, a full disk: not this video's fault — the pass stops with the
      // error in status and the video stays owed.
      if (!(err instanceof VideoError)) throw err;
      return this.failed(row.id, row.path, err, ctx);
    }
  }

  /**
   * A byte-identical copy of a video this model has read (a backup folder, a chat app's saved copy,
   * the same export twice) is given that video's frames and row facts instead of being decoded
   * again — as a photo's copy gets its twin's vector. Frames are a function of the bytes and the
   * model, and their pictures are keyed by content hash, so the copy's tiles exist already.
   * Undefined when there is no such twin (or the row has no hash yet: it is hashed as it is read).
   */
  private copyFromTwin(row: KnownVideo, frames: VideoFrameRepository): Outcome | undefined {
    if (!row.hash) return undefined;
    const hash = row.hash;
    const stored = this.lib.transaction(() => {
      const twin = this.lib.videos.indexedTwinWithFrames(hash, row.id, frames.modelRowId);
      if (twin === undefined) return undefined;
      if (this.unchanged(row)?.hash !== hash) return false;
      frames.replace(row.id, frames.framesToCopy(twin));
      this.lib.photos.copyIndexedMetadata(twin, row.id);
      return true;
    });
    if (stored === undefined) return undefined;
    if (!stored) return 'left';
    this.summary.copied++;
    this.timeouts.delete(row.id);
    return 'indexed';
  }

  /** The video's row as it is now, if it still has the path and stats it had when it was read; else undefined. */
  private unchanged(row: KnownVideo): PhotoRow | undefined {
    const now = this.lib.photos.get(row.id);
    return now && now.path === row.path && now.size === row.size && now.mtimeMs === row.mtimeMs ? now : undefined;
  }

  private failed(id: number, file: string, err: VideoError, ctx: PassContext): Outcome {
    switch (err.reason) {
      case 'aborted':
        return 'left';
      case 'still-changing':
        this.summary.waiting++;
        this.log.info(`video ${file}: ${err.message}`);
        ctx.retryAfter?.((this.opts.quietMs ?? QUIET_MS) + 1000);
        return 'left';
      case 'decoder-missing':
        this.decoder = { checkedAt: Date.now(), problem: err.message };
        return 'left';
      case 'timeout': {
        const n = (this.timeouts.get(id) ?? 0) + 1;
        this.timeouts.set(id, n);
        if (n < MAX_TIMEOUTS) {
          this.log.warn(`video ${file}: ${err.message}; it is tried again on the next run`);
          return 'left';
        }
        return this.skip(id, file, `${err.reason}: ${err.message}`);
      }
      default:
        return this.skip(id, file, `${err.reason}: ${err.message}`);
    }
  }

  private skip(id: number, file: string, reason: string): Outcome {
    this.lib.transaction(() => {
      if (this.lib.photos.get(id)) this.lib.photos.markSkipped(id, reason);
    });
    this.summary.skipped++;
    this.log.warn(`video skipped ${file}: ${reason}`);
    return 'skipped';
  }

  report(): PassReport | null {
    const s = this.summary;
    this.summary = { indexed: 0, copied: 0, skipped: 0, waiting: 0 };
    if (s.indexed + s.copied + s.skipped + s.waiting === 0) return null;
    const copies = s.copied > 0 ? `, ${s.copied} identical copies of videos already read` : '';
    const waiting = s.waiting > 0 ? `, ${s.waiting} still being copied (indexed when they stop changing)` : '';
    return { text: `read ${s.indexed} videos${copies}, skipped ${s.skipped}${waiting}`, counts: { ...s } };
  }
}
