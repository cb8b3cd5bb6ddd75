/**
 * Adding, removing and indexing library folders: a folder added is indexed in the background
 * (progress through status) and followed if the library is watched; a full pass over every folder
 * is the start-up catch-up for changes made while nothing ran. Every pass ends with `afterPass`
 * (the per-photo passes, a model switch's completion).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/api.ts';
import type { FolderActions } from '../library/library-handlers.ts';
import type { Library } from '../store/library.ts';
import type { Logger } from '../util/log.ts';
import type { Indexer, IndexSummary } from './indexer.ts';
import type { LibraryWatch } from './library-watch.ts';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class FolderService implements FolderActions {
  constructor(
    private readonly lib: Library,
    private readonly indexer: Indexer,
    private readonly watch: () => LibraryWatch,
    private readonly afterPass: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Index folders once (adding them as library folders), then run what follows a pass. */
  async indexFolders(roots: string[]): Promise<IndexSummary> {
    for (const r of roots) {
      if (!fs.existsSync(r) || !fs.statSync(r).isDirectory()) throw new ApiError('NOT_FOUND', `not a folder: ${r}`);
    }
    const summary = await this.indexer.indexFolders(roots);
    await this.afterPass();
    return summary;
  }

  /** Re-scan every library folder (start-up catch-up for changes made while the app was closed). */
  reindexAll(): Promise<IndexSummary> {
    return this.indexFolders(this.lib.folders.list().map((f) => f.path));
  }

  async addFolder(root: string): Promise<{ id: number; path: string }> {
    const abs = path.resolve(root);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new ApiError('NOT_FOUND', `not a folder: ${abs}`);
    const folder = this.lib.folders.add(abs);
    // Index in the background; progress is visible through status().
    void this.indexFolders([abs]).catch((e) => this.log.error(`indexing ${abs} failed: ${message(e)}`));
    await this.watch().foldersChanged();
    return folder;
  }

  async removeFolder(folderId: number): Promise<boolean> {
    const removed = await this.indexer.removeFolder(folderId);
    if (removed) await this.watch().foldersChanged();
    return removed;
  }
}
