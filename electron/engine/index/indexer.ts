/**
 * Turns the state of the watched folders into vectors: reconciles files with the index (new,
 * changed, renamed/moved, copied, deleted), then encodes what is pending. Every write goes
 * through one serial queue, and a photo only becomes `indexed` in the same transaction that
 * stores its vector, so a run killed at any point leaves work that the next run finishes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IndexProgress } from '../../shared/api.ts';
import { hashFile } from '../library/file-identity.ts';
import { encodeOnceEach, type Encoded } from './encode-pending.ts';
import { isIndexablePath, isLiveClipPath, kindOfPath, walkPhotos, type FoundFile } from '../library/scanner.ts';
import { LibraryBounds, PolicySkip, entryKind, symlinkSkipReason } from '../library/link-policy.ts';
import type { PreprocessSpec } from '../media/decode.ts';
import type { Library } from '../store/library.ts';
import { classifyStoreError } from '../store/errors.ts';
import type { VectorBatch, VectorRepository } from '../store/vector-repository.ts';
import { ProgressTracker } from '../util/progress.ts';
import { SerialQueue } from '../util/serial-queue.ts';
import { describeFailure, type PipelineItem } from './encode-pipeline.ts';
import { Reconciliation } from './reconcile.ts';
import type { KnownFile } from '../store/photo-identity.ts';
import { RootAvailability, type OfflineReason, type ProbeOptions } from '../library/root-availability.ts';
import { FolderTimeoutError } from '../library/fs-deadline.ts';
import { nestedRoots } from '../library/folder-input.ts';
import { isInsideRoots } from '../../shared/inside-roots.ts';
import type { Logger } from '../util/log.ts';

export interface ImageEmbedder {
  readonly preprocessSpec: PreprocessSpec;
  embedImageTensors(tensors: Float32Array[]): Promise<Float32Array[]>;
  imageBatchIsDynamic(): Promise<boolean>;
  /** Start loading the image tower now (optional; ModelRuntime has it). */
  warm?(tower: 'image'): Promise<unknown>;
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
  /** How roots are probed (tests inject a slow file system or a short deadline). */
  roots?: ProbeOptions;
  log?: Logger;
}

/** A root left alone by a pass because it is away: its photos are kept as they are. */
export interface OfflineRoot {
  path: string;
  reason: OfflineReason;
  detail: string;
}

export interface IndexSummary {
  scanned: number;
  added: number;
  changed: number;
  moved: number;
  copied: number;
  removed: number;
  encoded: number;
  /** Byte-identical copies of a photo encoded in the same pass, given its vector instead of being encoded too. */
  reused: number;
  skipped: number;
  seconds: number;
  /** Roots this pass could not reach (unplugged, unreadable, not answering): nothing in them was deleted. */
  offline: OfflineRoot[];
}

type Counts = Omit<IndexSummary, 'seconds' | 'encoded' | 'reused' | 'skipped' | 'scanned' | 'offline'>;
const emptyCounts = (): Counts => ({ added: 0, changed: 0, moved: 0, copied: 0, removed: 0 });

/** Candidates held before an early settle (see walkFolder). */
const EARLY_SETTLE = 512;

export class Indexer {
  readonly progress = new ProgressTracker();
  private readonly queue = new SerialQueue();
  private abort = new AbortController();
  private encoderWarming = false;
  /** Which roots are there (library/root-availability.ts); the engine's monitor shares it. */
  readonly roots: RootAvailability;

  constructor(
    private readonly lib: Library,
    private readonly vectors: VectorRepository,
    private readonly embedder: ImageEmbedder,
    private readonly opts: IndexerOptions = {},
  ) {
    this.roots = new RootAvailability(lib, { ...opts.roots, log: opts.log });
  }

  snapshot(): IndexProgress {
    return this.progress.snapshot();
  }

  /**
   * Full pass over folders: add them as watched roots, reconcile every one of them against the
   * disk (moves matched across all of them before anything is deleted), encode what is pending.
   * A root that is away (root-availability.ts) is left alone: none of its photos is deleted, moved
   * or read, and the summary lists it.
   */
  indexFolders(roots: string[]): Promise<IndexSummary> {
    return this.typedStoreErrors(async () => {
      const t0 = Date.now();
      const counts = emptyCounts();
      let scanned = 0;
      for (const root of roots) this.lib.folders.add(path.resolve(root));
      this.absorbNestedRoots();
      // Each folder asked for, as the library folder it is now (an inner one: its outer one).
      const all = this.lib.folders.list();
      const folders = [...new Set(roots.map((r) => path.resolve(r)))]
        .map((abs) => all.find((f) => f.path === abs) ?? all.find((f) => isInsideRoots(abs, [f.path], path)))
        .filter((f, i, list): f is (typeof all)[number] => f !== undefined && list.indexOf(f) === i);
      const probes = await Promise.all(folders.map((f) => this.roots.check(f.id)));
      const away = this.roots.offlineIds();
      const offline: OfflineRoot[] = [];
      const bounds = await this.bounds();
      const rec = this.reconciliation(bounds, away);
      const missing: KnownFile[] = [];
      for (const [i, folder] of folders.entries()) {
        const probe = probes[i]?.probe;
        if (!probe?.online) {
          if (probe) offline.push({ path: folder.path, reason: probe.reason, detail: probe.detail });
          continue;
        }
        const walked = await this.walkFolder(folder.id, folder.path, probe.device, bounds, rec, counts);
        if (walked.offline) {
          offline.push({ path: folder.path, ...walked.offline });
          away.add(folder.id);
          continue;
        }
        scanned += walked.scanned;
        missing.push(...walked.missing);
      }
      await this.settle(rec, missing, true, counts);
      const encoded = await this.encodePending();
      const offlineText = offline.map((o) => `${o.path} (${o.reason})`).join(', ') || 'none';
      this.opts.log?.debug(`full pass over ${folders.length} folder(s): scanned ${scanned}, removed ${counts.removed}, encoded ${encoded.encoded}; offline: ${offlineText}; identical copies given a twin's vector: ${encoded.reused}`);
      return { scanned, ...counts, ...encoded, seconds: (Date.now() - t0) / 1000, offline };
    });
  }

  /**
   * Watcher events, already debounced: files that appeared/changed and files (or folders, ending
   * with a separator) that vanished. Moves, swaps and saves-over are matched within the batch and
   * against rows whose file is gone; a vanished photo that nothing re-attached is left for the
   * next full pass to delete (the engine runs one after every burst), so the unlink of a rename
   * that arrives before its add never costs the photo its row.
   */
  applyChanges(changed: string[], removed: string[]): Promise<Counts & Encoded> {
    return this.typedStoreErrors(async () => {
      const counts = emptyCounts();
      const bounds = await this.bounds();
      // Roots recorded as away: their photos are neither missing nor movable (a drive being
      // unplugged sends a burst of removals; the next full pass finds the root offline).
      const away = this.roots.offlineIds();
      const rec = this.reconciliation(bounds, away);
      const missing = new Map<number, KnownFile>();
      const noteMissing = (k: KnownFile | undefined): void => {
        if (k && !away.has(k.folderId) && !fs.existsSync(k.path)) missing.set(k.id, k);
      };
      for (const p of removed) {
        if (p.endsWith(path.sep)) for (const k of this.lib.identity.knownInTree(p)) noteMissing(k);
        else noteMissing(this.lib.identity.knownAt(path.resolve(p)));
      }
      for (const p of changed) {
        const file = path.resolve(p);
        const folder = this.folderFor(file);
        if (!folder || away.has(folder.id)) continue; // back online: the monitor's pass catches up
        // Links are never followed (link-policy.ts): a link is recorded, its target never read.
        const entry = await entryKind(file);
        if (entry.kind === 'other') {
          noteMissing(this.lib.identity.knownAt(file));
          continue;
        }
        // A Live Photo's clip is part of its photo, not an item (scanner.ts).
        if (entry.kind === 'file' && (await isLiveClipPath(file))) {
          const row = this.lib.identity.knownAt(file);
          if (row) missing.set(row.id, row);
          continue;
        }
        const found: FoundFile = { path: file, size: entry.size, mtimeMs: entry.mtimeMs, fileId: entry.fileId, kind: kindOfPath(file) ?? 'photo' };
        if (entry.kind === 'symlink') found.skip = symlinkSkipReason(await bounds.classifyLink(file));
        await rec.observe(found, folder.id, this.lib.identity.knownAt(file));
      }
      await this.settle(rec, [...missing.values()], false, counts);
      return { ...counts, ...(await this.encodePending()) };
    });
  }

  removeFolder(folderId: number): Promise<boolean> {
    return this.queue.run(async () => this.lib.folders.remove(folderId));
  }

  /**
   * Add `root` as a library folder that takes over the library folders inside it: their photos
   * move to it with everything they have, so its first pass reads and encodes nothing of theirs.
   */
  absorbFolders(root: string, childIds: readonly number[]): Promise<{ photos: number }> {
    return this.typedStoreErrors(async () => ({ photos: this.lib.folders.absorb(root, childIds).photos }));
  }

  /** Stop the current encoding pass soon; pending photos stay pending for the next run. */
  stop(): void {
    this.abort.abort();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Library folders inside other library folders (older versions let a subfolder be added) would
   * give a photo two roots: the outer one takes the inner ones over, keeping their photos.
   */
  private absorbNestedRoots(): void {
    for (const { outer, inner } of nestedRoots(this.lib.folders.list().map((f) => ({ id: f.id, path: f.path, offline: f.offline !== null })))) {
      const r = this.lib.folders.absorb(outer.path, inner.map((f) => f.id));
      this.opts.log?.info(`${outer.path} took over the library folders inside it (${inner.map((f) => f.path).join(', ')}), with their ${r.photos} photos`);
    }
  }

  private folderFor(file: string): { id: number; path: string } | undefined {
    return this.lib.folders
      .list()
      .filter((f) => isIndexablePath(f.path, file))
      .sort((a, b) => b.path.length - a.path.length)[0];
  }

  /** One job on the write queue; a raw SQLite failure (a full disk, a bad page) leaves it typed. */
  private typedStoreErrors<T>(job: () => Promise<T>): Promise<T> {
    return this.queue.run(job).catch((err: unknown) => {
      throw classifyStoreError(err, this.lib.db.file);
    });
  }

  /** The library roots' real paths: what every read is checked against (link-policy.ts). */
  private bounds(): Promise<LibraryBounds> {
    return LibraryBounds.resolve(this.lib.folders.list().map((f) => f.path));
  }

  private reconciliation(bounds: LibraryBounds, away: ReadonlySet<number>): Reconciliation {
    return new Reconciliation(
      this.lib,
      async (p) => hashFile(await bounds.checkReadable(p)),
      (err) => (err instanceof PolicySkip ? describeFailure(err) : `unreadable: ${err instanceof Error ? err.message : String(err)}`),
      away,
    );
  }

  /**
   * Walk one root: every file is observed against the row at its path; the rows not seen are
   * returned as missing (settled once every root has been walked). Candidates are settled early,
   * at a folder boundary once there are many, so a first index of a big library shows progress
   * and a killed run keeps what it found; moves still match (their old path is gone), and a swap
   * within one folder is settled together.
   *
   * Not missing, though not seen: photos under a subfolder that could not be read, photos on a
   * volume mounted inside the root that is away (no file of their device was seen), and every
   * photo of a root that went away during the walk (probed again at the end) or stopped answering.
   */
  private async walkFolder(
    folderId: number,
    root: string,
    rootDevice: string,
    bounds: LibraryBounds,
    rec: Reconciliation,
    counts: Counts,
  ): Promise<{ scanned: number; missing: KnownFile[]; offline?: { reason: OfflineReason; detail: string } }> {
    const known = new Map(this.lib.identity.knownUnder(folderId).map((r) => [r.path, r]));
    const unreadable: string[] = [];
    const devices = new Set<string>([rootDevice]);
    let scanned = 0;
    let dir = '';
    this.progress.working(root);
    try {
      for await (const found of walkPhotos(root, bounds, { timeoutMs: this.opts.roots?.timeoutMs, onUnreadable: (p) => unreadable.push(p) })) {
        scanned++;
        if (found.fileId) devices.add(found.fileId.slice(0, found.fileId.indexOf(':')));
        const here = path.dirname(found.path);
        if (here !== dir && rec.pendingCandidates >= EARLY_SETTLE) await this.settle(rec, [], false, counts);
        dir = here;
        const k = known.get(found.path) ?? this.lib.identity.knownAt(found.path);
        known.delete(found.path);
        if ((await rec.observe(found, folderId, k)) === 'candidate') this.warmEncoderFor(rec.lastCandidateHash);
      }
    } catch (err) {
      // Stopped answering, or went away mid-walk: the root is offline for this pass.
      if (err instanceof FolderTimeoutError) return { scanned, missing: [], offline: this.roots.timedOut(folderId, err) };
      const state = await this.roots.check(folderId);
      if (state && !state.probe.online) return { scanned, missing: [], offline: { reason: state.probe.reason, detail: state.probe.detail } };
      throw err;
    }
    // Unplugged while it was walked: what was not seen yet is not gone.
    const after = await this.roots.check(folderId);
    if (after && !after.probe.online) return { scanned, missing: [], offline: { reason: after.probe.reason, detail: after.probe.detail } };
    const missing: KnownFile[] = [];
    for (const gone of known.values()) {
      if (unreadable.includes(gone.path) || isInsideRoots(gone.path, unreadable, path)) continue;
      const device = gone.fileId?.slice(0, gone.fileId.indexOf(':'));
      if (device && !devices.has(device)) continue;
      // Gone, now a Live Photo's clip (its photo appeared beside it), or no longer a photo of the
      // library (the app's own thumbnails, taken in before own-dirs.ts): not an item of its own.
      if (!fs.existsSync(gone.path) || !isIndexablePath(root, gone.path) || (await isLiveClipPath(gone.path))) missing.push(gone);
    }
    return { scanned, missing };
  }

  /**
   * The first photo of a pass whose content has no vector yet starts the image tower loading, so
   * that the model loads (a second or two) while the scan and the hashing go on, instead of after
   * them. Moves and copies of indexed photos need no model and start nothing.
   */
  private warmEncoderFor(hash: string | undefined): void {
    if (this.encoderWarming || !hash || !this.embedder.warm || this.lib.identity.indexedWithHash(hash)) return;
    this.encoderWarming = true;
    void this.embedder.warm('image').catch(() => undefined); // a failure shows again where the encoder is used
  }

  /** Apply a reconciliation; byte-identical copies get their twin's vector. */
  private async settle(rec: Reconciliation, missing: KnownFile[], deleteUnmatched: boolean, counts: Counts): Promise<void> {
    const r = rec.settle(missing, deleteUnmatched);
    for (const k of ['added', 'changed', 'moved', 'copied', 'removed'] as const) counts[k] += r[k];
    for (const c of r.copies) {
      const vector = this.vectors.get(c.twinId);
      if (!vector) continue; // stays pending: encoded like a new photo
      // Its content's facts (fingerprint, capture details) are the twin's already: they are keyed by content.
      this.lib.transaction(() => {
        this.lib.photos.copyIndexedMetadata(c.twinId, c.id);
        this.vectors.upsert(c.id, vector);
      });
      await this.opts.onIndexed?.({ ids: Int32Array.of(c.id), vectors: vector });
    }
  }

  /**
   * Encode every photo that is pending or lacks a vector for the active model (encode-pending.ts).
   */
  private async encodePending(): Promise<Encoded> {
    this.abort = new AbortController();
    const away = this.roots.offlineIds();
    const items: PipelineItem[] = [
      ...this.lib.photos.listPending(Number.MAX_SAFE_INTEGER),
      ...this.lib.photos.missingVectors(this.vectors.modelRowId, Number.MAX_SAFE_INTEGER),
    ]
      // Photos of a root that is away wait for it: reading them now would only fail.
      .filter((p) => !away.has(p.folderId))
      .map((p) => ({ photoId: p.id, path: p.path, hash: p.hash }));
    if (items.length === 0) return { encoded: 0, reused: 0, skipped: 0 };
    const ctx = { lib: this.lib, vectors: this.vectors, embedder: this.embedder, progress: this.progress, opts: this.opts, signal: this.abort.signal };
    return encodeOnceEach(items, await this.bounds(), ctx);
  }
}
