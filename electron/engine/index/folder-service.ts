/**
 * Adding, removing and indexing library folders: a folder added is indexed in the background
 * (progress through status) and followed if the library is watched; a full pass over every folder
 * is the start-up catch-up for changes made while nothing ran. Every pass ends with `afterPass`
 * (the per-photo passes, a model switch's completion).
 */
import type { FolderActions } from '../library/library-handlers.ts';
import type { Library } from '../store/library.ts';
import type { Logger } from '../util/log.ts';
import type { Indexer, IndexSummary } from './indexer.ts';
import type { LibraryWatch } from './library-watch.ts';
import { planFolders, rootWriter } from './folder-plan.ts';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class FolderService implements FolderActions {
  constructor(
    private readonly lib: Library,
    private readonly indexer: Indexer,
    private readonly watch: () => LibraryWatch,
    private readonly afterPass: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  /**
   * Index folders once (adding them as library folders, as folder-plan.ts reads what was typed),
   * then run what follows a pass. `cwd`: where a relative path is read from (the CLI); without it
   * one is refused. A library folder that is away is reported offline in the summary, its photos kept.
   */
  async indexFolders(folders: string[], opts: { cwd?: string } = {}): Promise<IndexSummary & { notes: string[] }> {
    const plan = await planFolders(folders, rootWriter(this.lib, this.indexer), { ...opts, inside: 'use-root' });
    const summary = await this.indexer.indexFolders(plan.roots);
    await this.afterPass();
    return { ...summary, notes: plan.notes };
  }

  /** Re-scan every library folder (start-up catch-up for changes made while the app was closed). */
  reindexAll(): Promise<IndexSummary> {
    return this.indexFolders(this.lib.folders.list().map((f) => f.path));
  }

  /**
   * Add a folder as typed: refused with a reason (relative, missing, not a folder, unreadable,
   * already included) or added — taking over library folders inside it — and indexed in the background.
   */
  async addFolder(typed: string, opts: { cwd?: string } = {}): Promise<{ id: number; path: string }> {
    const plan = await planFolders([typed], rootWriter(this.lib, this.indexer), { ...opts, inside: 'refuse' });
    const abs = plan.roots[0]!;
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
