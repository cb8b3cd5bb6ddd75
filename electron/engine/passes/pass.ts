/**
 * A per-photo pass: work computed for each indexed photo after it is embedded — its tags, the text
 * in it, its place, its stack, a video's frames. Each pass is a unit with a name and a version,
 * says which photos it still owes work, and runs a batch; the scheduler (scheduler.ts) runs the
 * registered passes by priority while nothing waits to be embedded, reports their progress, and
 * stops them cleanly. Adding a pass: its own folder with a class implementing PhotoPass, plus one
 * line in engine/pass-registry.ts (docs/architecture.md, "Add a pass").
 *
 * State per photo is the pass's: keyed by photo id (reconcile keeps a moved or renamed photo's id,
 * so its results stay) and dropped when the photo's content changes. Passes with nothing of their
 * own to store use store/pass-state.ts (`StatePass` below does the bookkeeping).
 */
import type { PassWait } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import { PHOTOS_ONLY, type OwedPhoto } from '../store/pass-state.ts';
import type { ItemKind } from '../store/rows.ts';
import type { VectorBatch } from '../store/vector-repository.ts';

export type PassItem = OwedPhoto;

export interface PassCounts {
  /** Photos done at their current content and the pass's current version. */
  done: number;
  failed: number;
  /** Indexed photos still owed. */
  pending: number;
}

export interface PassContext {
  /** Aborted on shutdown, a model switch (for passes that read vectors) or the setting turned off. */
  signal: AbortSignal;
  /** Resolves when the pass may use the machine (no photo waits to be embedded). */
  yieldTo(): Promise<void>;
  /** The photo being handled, for progress (null when between photos). */
  working(path: string | null): void;
  /** `n` photos handled (done or failed). */
  completed(n: number): void;
  /**
   * Run the passes again in `ms`: work was left because it cannot be done yet (a video still being
   * copied; background mode — a one-shot command leaves it owed for the next run). 0: once this
   * round ends, in every mode — the pass made new items that passes before it owe (videos indexed
   * get their places).
   */
  retryAfter?(ms: number): void;
}

export interface PhotoPass {
  /** Stable name: status, the UI's label key, the state table's key. */
  readonly name: string;
  /** Lower runs first. */
  readonly priority: number;
  /** Photos per run() call. */
  readonly batchSize: number;
  /** Reads the serving model's vectors: paused during a model switch. */
  readonly usesVectors: boolean;
  /**
   * Runs large models of its own (OCR's graphs and their buffers, ~0.6 GB on 12 MP photos): the
   * image encoder, idle while passes run, is put away before each of its photos so that the two
   * are never resident together (the indexer starts it again when photos arrive).
   */
  readonly ownModels?: boolean;
  counts(): PassCounts;
  /** The next photos owed, after `afterId` in id order. */
  owed(limit: number, afterId: number): PassItem[];
  /** Why the pass may not run now (null: it may). */
  blocked(): PassWait | null;
  /**
   * Handle a batch and record each photo's result; a photo left unrecorded is owed again next
   * round. The scheduler has waited for the indexer before the batch; a pass whose photos each
   * take long (OCR) calls ctx.yieldTo() again between them.
   */
  run(batch: PassItem[], ctx: PassContext): Promise<void>;
  /**
   * A preparation the pass needs before its first photo (tag prompts: minutes of text encoding),
   * made when blocked() says 'needs-preparation': by the scheduler in the background, or by a
   * command that asks for it (`index --tags`). Reports its own progress.
   */
  prepare?(ctx: PassContext, onProgress: (done: number, total: number) => void): Promise<void>;
  /** Vectors the indexer just stored, while it still holds them (a cheap head start; the catch-up stays authoritative). */
  onEmbedded?(batch: VectorBatch): Promise<void>;
  /** Free what a run holds (a worker, its sessions) once there is nothing left for it. */
  release?(): Promise<void>;
  /** What the last round did, then reset (null: nothing): the log's line and its figures. */
  report?(): PassReport | null;
}

/** A pass's round in figures (`counts`, for listeners that word it: engine-events.ts) and as the log's English line. */
export interface PassReport {
  text: string;
  counts: Readonly<Record<string, number>>;
}

/**
 * Bookkeeping for a pass that keeps no state of its own: owed photos, counts and results through
 * store/pass-state.ts, keyed by `name` and the version string (an algorithm version, plus
 * whatever else makes old results stale — the model whose vectors it reads, say).
 */
export abstract class StatePass implements PhotoPass {
  abstract readonly name: string;
  abstract readonly priority: number;
  abstract readonly batchSize: number;
  abstract readonly usesVectors: boolean;

  /** The kinds of item it handles: photos unless it says videos too (a pass that reads only the row — a place from GPS — can). */
  protected readonly kinds: readonly ItemKind[] = PHOTOS_ONLY;

  constructor(protected readonly lib: Library) {}

  /** The current version: results recorded under another are stale. */
  protected abstract version(): string;
  abstract blocked(): PassWait | null;
  abstract run(batch: PassItem[], ctx: PassContext): Promise<void>;

  counts(): PassCounts {
    return this.lib.passState.counts(this.name, this.version(), this.kinds);
  }

  owed(limit: number, afterId: number): PassItem[] {
    return this.lib.passState.owed(this.name, this.version(), limit, afterId, this.kinds);
  }

  protected markDone(photoIds: Iterable<number>): void {
    this.lib.passState.mark(this.name, this.version(), photoIds);
  }

  protected markFailed(photoId: number, reason: string): void {
    this.lib.passState.mark(this.name, this.version(), [photoId], reason);
  }
}
