/**
 * The only importer of chokidar. Follows the watched folders after the initial scan and hands
 * the indexer debounced batches of changed and removed paths.
 *
 * A rename arrives as unlink + add, and the add is held back until the file stops growing
 * (awaitWriteFinish), so the unlink comes first. Removals are therefore held for a grace period:
 * if the same bytes appear under a new path meanwhile, the indexer sees both in one batch and
 * moves the photo (keeping its vector) instead of deleting and re-encoding it.
 */
import { watch, type FSWatcher } from 'chokidar';
import { isUnderIgnoredFolder } from './ignored-folders.ts';
import { isIndexablePath } from './scanner.ts';
import path from 'node:path';
import type { RescanOptions } from './rescan-scheduler.ts';
import { isInOwnDir } from './own-dirs.ts';

export interface WatcherOptions {
  /** Quiet time before a batch is delivered. */
  debounceMs?: number;
  /** How long a removal waits for a matching add (rename/move detection). */
  removalGraceMs?: number;
  /** File must stay the same size this long before it is considered written. */
  writeStableMs?: number;
  /** Use polling (network drives, some containers). */
  usePolling?: boolean;
  /** When the library is checked against the disk again (see library/rescan-scheduler.ts). */
  rescan?: RescanOptions;
  /** How often each folder is checked for going away or coming back (default 30 s; see index/root-monitor.ts). */
  rootCheckMs?: number;
}

export type ChangeBatchHandler = (changed: string[], removed: string[]) => Promise<unknown>;

export class PhotoWatcher {
  private watcher: FSWatcher | null = null;
  private readonly changed = new Set<string>();
  private readonly removed = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private delivering: Promise<unknown> = Promise.resolve();
  private readonly debounceMs: number;
  private readonly graceMs: number;

  constructor(
    private readonly onBatch: ChangeBatchHandler,
    private readonly opts: WatcherOptions = {},
    private readonly onError: (err: Error) => void = () => undefined,
  ) {
    this.debounceMs = opts.debounceMs ?? 400;
    // Generous: under load the add of a rename can trail its unlink by seconds (awaitWriteFinish).
    this.graceMs = opts.removalGraceMs ?? 5000;
  }

  async start(roots: string[]): Promise<void> {
    const absRoots = roots.map((r) => path.resolve(r));
    const rootOf = (p: string): string | undefined => absRoots.find((r) => p === r || p.startsWith(r + path.sep));
    this.watcher = watch(absRoots, {
      ignoreInitial: true,
      followSymlinks: false,
      usePolling: this.opts.usePolling ?? false,
      awaitWriteFinish: { stabilityThreshold: this.opts.writeStableMs ?? 600, pollInterval: 100 },
      ignored: (p: string, stats?: { isDirectory(): boolean }) => {
        const root = rootOf(p);
        if (!root || p === root) return false;
        if (isInOwnDir(p)) return true; // the app's own thumbnails: never watched, never photos
        return isUnderIgnoredFolder(root, p, stats?.isDirectory() ?? false);
      },
    });
    const accept = (p: string): boolean => {
      const root = rootOf(p);
      return root !== undefined && isIndexablePath(root, p);
    };
    this.watcher
      .on('add', (p) => accept(p) && this.noteChanged(p))
      .on('change', (p) => accept(p) && this.noteChanged(p))
      .on('unlink', (p) => accept(p) && this.noteRemoved(p))
      .on('unlinkDir', (p) => this.noteRemoved(p + path.sep))
      .on('error', (e) => this.onError(e instanceof Error ? e : new Error(String(e))));
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
  }

  private noteChanged(p: string): void {
    this.changed.add(p);
    this.removed.delete(p);
    this.schedule();
  }

  private noteRemoved(p: string): void {
    this.changed.delete(p);
    this.removed.set(p, Date.now());
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
  }

  private flush(): void {
    this.timer = null;
    const now = Date.now();
    const changed = [...this.changed];
    this.changed.clear();
    const removed: string[] = [];
    let waiting = false;
    for (const [p, at] of this.removed) {
      // A removal is delivered with any batch of adds (so a rename pairs up), or alone after
      // the grace period.
      if (changed.length > 0 || now - at >= this.graceMs) {
        removed.push(p);
        this.removed.delete(p);
      } else waiting = true;
    }
    if (waiting) this.timer = setTimeout(() => this.flush(), this.graceMs);
    if (changed.length === 0 && removed.length === 0) return;
    this.delivering = this.delivering.then(() =>
      this.onBatch(changed, removed).catch((e) => this.onError(e instanceof Error ? e : new Error(String(e)))),
    );
  }

  /** Resolves once every batch handed over so far has been processed. */
  settled(): Promise<unknown> {
    return this.delivering;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
    await this.delivering;
  }
}
