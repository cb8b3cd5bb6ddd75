/**
 * The writes reconcile needs to keep a photo's identity (its row, vector, tags and custom-tag
 * assignments) when its file is renamed, moved, swapped with another or changed in place — see
 * index/reconcile.ts. Each photo remembers the file's identity on disk (`file_id`, "dev:ino"):
 * a size + mtime match alone cannot tell two swapped files apart, an inode can, and a changed
 * inode (a remounted FAT drive, a restored backup) only makes reconcile check the content hash,
 * never re-encode by itself.
 *
 * Moves run as a plan inside one transaction: every row that leaves its path is first parked on
 * a placeholder path (paths are UNIQUE and a swap would otherwise collide), then each takes its
 * new path.
 */
import type { Database, Statement } from './database.ts';
import { changeFeed, type ChangeFeed } from './change-feed.ts';
import { dirOf, subtreeRange } from './paths.ts';
import { toPhoto, type ItemKind, type PhotoRow, type RawPhoto } from './rows.ts';

export interface KnownFile {
  id: number;
  path: string;
  folderId: number;
  size: number;
  mtimeMs: number;
  fileId: string | null;
  hash: string | null;
  status: PhotoRow['status'];
  skipReason: string | null;
}

export interface SeenFile {
  path: string;
  folderId: number;
  size: number;
  mtimeMs: number;
  fileId: string | null;
  /** What the file is by its name (default photo): a video is read by its own pass. */
  kind?: ItemKind;
}

interface RawKnown {
  id: number;
  path: string;
  folder_id: number;
  size: number;
  mtime_ms: number;
  file_id: string | null;
  hash: string | null;
  status: PhotoRow['status'];
  skip_reason: string | null;
}

/** The columns a KnownFile is read from. */
const KNOWN = 'SELECT id, path, folder_id, size, mtime_ms, file_id, hash, status, skip_reason FROM photos';

const toKnown = (r: RawKnown): KnownFile => ({ id: r.id, path: r.path, folderId: r.folder_id, size: r.size, mtimeMs: r.mtime_ms, fileId: r.file_id, hash: r.hash, status: r.status, skipReason: r.skip_reason });

/** A placeholder no real path can equal (NUL never appears in a path). */
const parked = (id: number): string => `\0moving:${id}`;

export class PhotoIdentityRepository {
  private readonly s: Record<'known' | 'knownAt' | 'knownInDirs' | 'park' | 'place' | 'refresh' | 'insert' | 'changed' | 'hashOf' | 'withHash' | 'sample' | 'rebase', Statement>;
  private readonly feed: ChangeFeed;

  constructor(private readonly db: Database) {
    this.feed = changeFeed(db);
    const sql = db.sql;
    this.s = {
      known: sql.prepare(`${KNOWN} WHERE folder_id = ?`),
      knownAt: sql.prepare(`${KNOWN} WHERE path = ?`),
      knownInDirs: sql.prepare(`${KNOWN} WHERE dir >= ? AND dir < ?`),
      park: sql.prepare('UPDATE photos SET path = ? WHERE id = ?'),
      // A skipped photo that moved is decoded once more: its verdict may have come from a read that
      // raced the move itself. A file renamed from a photo's extension to a video's (or back) is
      // read again as what its name now says.
      place: sql.prepare(
        `UPDATE photos SET path = @path, dir = @dir, folder_id = @folder, size = @size, mtime_ms = @mtime, file_id = @fileId, updated_at = @now,
           status = CASE WHEN status = 'skipped' OR kind <> @kind THEN 'pending' ELSE status END,
           skip_reason = CASE WHEN status = 'skipped' OR kind <> @kind THEN NULL ELSE skip_reason END,
           kind = @kind
         WHERE id = @id`,
      ),
      refresh: sql.prepare('UPDATE photos SET folder_id = ?, size = ?, mtime_ms = ?, file_id = ?, updated_at = ? WHERE id = ?'),
      insert: sql.prepare(
        `INSERT INTO photos (path, folder_id, dir, size, mtime_ms, file_id, hash, status, updated_at, kind)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING *`,
      ),
      changed: sql.prepare(
        `UPDATE photos SET folder_id = ?, size = ?, mtime_ms = ?, file_id = ?, hash = ?, status = 'pending',
           skip_reason = NULL, updated_at = ? WHERE id = ?`,
      ),
      hashOf: sql.prepare('SELECT hash FROM photos WHERE id = ?').pluck(),
      withHash: sql.prepare(`SELECT * FROM photos WHERE hash = ? AND status = 'indexed' ORDER BY id LIMIT 1`),
      sample: sql.prepare(`${KNOWN} WHERE folder_id = ? AND status <> 'skipped' ORDER BY random() LIMIT ?`),
      // "dev:ino" → "newdev:ino" for the photos seen on the old device number.
      rebase: sql.prepare(`UPDATE photos SET file_id = ? || substr(file_id, length(?) + 1) WHERE folder_id = ? AND file_id LIKE ? || ':%'`),
    };
  }

  /** Every photo of a root as reconcile compares it with the disk. */
  knownUnder(folderId: number): KnownFile[] {
    return (this.s.known.all(folderId) as RawKnown[]).map(toKnown);
  }

  /** The photo at exactly this path. */
  knownAt(path: string): KnownFile | undefined {
    const r = this.s.knownAt.get(path) as RawKnown | undefined;
    return r && toKnown(r);
  }

  /** Every photo in this folder or below it (a folder the watcher saw disappear). */
  knownInTree(folder: string): KnownFile[] {
    const { lo, hi } = subtreeRange(folder);
    return (this.s.knownInDirs.all(lo, hi) as RawKnown[]).map(toKnown);
  }

  /** A few photos of a root, picked at random (is the drive mounted there the one they were on?). */
  sampleUnder(folderId: number, n: number): KnownFile[] {
    return (this.s.sample.all(folderId, n) as RawKnown[]).map(toKnown);
  }

  /**
   * The root's volume came back under another device number (drives are numbered as they are
   * plugged in): its photos' file identities follow, so none of them is read again for it.
   */
  rebaseDevice(folderId: number, oldDevice: string, newDevice: string): number {
    return this.s.rebase.run(newDevice, oldDevice, folderId, oldDevice).changes;
  }

  /** Same content, new stats (touched, remounted, or moved to another root's folder_id). */
  refresh(id: number, seen: SeenFile, folderChanged: boolean): void {
    this.s.refresh.run(seen.folderId, seen.size, Math.trunc(seen.mtimeMs), seen.fileId, Date.now(), id);
    if (folderChanged) this.feed.photoChanged(id);
  }

  /**
   * Apply a set of moves at once: each row keeps its id, vector and tags and takes its new path
   * (swaps and cycles included). Call inside a transaction.
   */
  moveAll(moves: readonly { id: number; to: SeenFile }[]): void {
    for (const m of moves) this.s.park.run(parked(m.id), m.id);
    const now = Date.now();
    for (const m of moves) {
      const to = m.to;
      this.s.place.run({ path: to.path, dir: dirOf(to.path), folder: to.folderId, size: to.size, mtime: Math.trunc(to.mtimeMs), fileId: to.fileId, now, kind: to.kind ?? 'photo', id: m.id });
      this.feed.photoChanged(m.id);
    }
  }

  /** The content at a photo's path changed: it is re-encoded (its old vector serves until then). */
  markChanged(id: number, seen: SeenFile, hash: string, folderChanged: boolean): void {
    this.s.changed.run(seen.folderId, seen.size, Math.trunc(seen.mtimeMs), seen.fileId, hash, Date.now(), id);
    if (folderChanged) this.feed.photoChanged(id);
  }

  /** A new photo whose hash is already known (reconcile hashed it to look for moves). */
  insert(seen: SeenFile, hash: string): PhotoRow {
    const r = this.s.insert.get(seen.path, seen.folderId, dirOf(seen.path), seen.size, Math.trunc(seen.mtimeMs), seen.fileId, hash, Date.now(), seen.kind ?? 'photo') as RawPhoto;
    return toPhoto(r);
  }

  /** An indexed photo with this content, to reuse its vector for a byte-identical copy. */
  indexedWithHash(hash: string): PhotoRow | undefined {
    const r = this.s.withHash.get(hash) as RawPhoto | undefined;
    return r && toPhoto(r);
  }
}
