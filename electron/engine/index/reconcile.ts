/**
 * Reconcile: what the disk holds now against what the library remembers, keeping each photo's
 * identity (row id, vector, tags, custom-tag assignments) wherever its content went.
 *
 * Two phases, so that nothing is deleted before every move has been recognised:
 *   1. observe(): each file seen on disk is compared with the row at its path. Same size, mtime
 *      and file identity (dev:ino) → unchanged, no read. Otherwise its content is hashed (once:
 *      the hash goes with the row to the encoder). Same hash as the row → only its stats changed
 *      (touched, remounted). A different hash, or no row at that path → a candidate.
 *   2. settle(): candidates are matched by content against the rows whose content left their
 *      path — rows not seen anywhere in this pass (`missing`) and rows whose path now holds other
 *      bytes (a swap, a file saved over). A match is a move: the row takes the new path. Then an
 *      unmatched candidate whose path had a row is an in-place change (re-encoded, same row); one
 *      on a free path is a copy of an indexed twin (vector reused) or new. Rows still unmatched
 *      at the end are deleted — only by a full pass (every root walked), never by a watcher batch,
 *      which may see the unlink of a rename before its add.
 *
 * So within one pass over all roots, a folder renamed, a photo moved into a new subfolder or to
 * another root, and two photos whose names were swapped all keep their rows, with zero re-encodes;
 * a rename combined with a content change is a change (new content, new encoding).
 */
import fs from 'node:fs';
import type { FoundFile } from '../library/scanner.ts';
import { PolicySkip } from '../library/link-policy.ts';
import type { Library } from '../store/library.ts';
import type { KnownFile, SeenFile } from '../store/photo-identity.ts';

/** Reads a file's content hash; throws with a skip reason when the file must not or cannot be read. */
export type HashReader = (path: string) => Promise<string>;
/** The skip reason for a file that could not be hashed. */
export type SkipReasonOf = (err: unknown) => string;

/**
 * A skipped row whose bytes could never be read (permission denied, an I/O error while hashing):
 * it has no hash. Such a file is tried again on every pass that sees it, whatever its stats —
 * fixing its permissions (chmod, a drive remounted with the right owner) changes neither its size
 * nor its mtime, so "same stats, same verdict" would keep it skipped forever. A failed try is one
 * failed open. A row skipped for its content (it does not decode) has a hash and waits for a change.
 */
function neverRead(known: KnownFile): boolean {
  return known.hash === null && (known.skipReason?.startsWith('unreadable:') ?? false);
}

export interface Candidate {
  seen: SeenFile;
  hash: string;
  /** The row that was at this path before, when its content differs. */
  atPath?: KnownFile;
}

export interface SettleCounts {
  added: number;
  changed: number;
  moved: number;
  copied: number;
  removed: number;
}

export interface SettleResult extends SettleCounts {
  /** New rows that can reuse an indexed twin's vector (the caller copies it). */
  copies: { id: number; twinId: number }[];
}

export class Reconciliation {
  private readonly candidates: Candidate[] = [];

  constructor(
    private readonly lib: Library,
    private readonly hashOf: HashReader,
    private readonly skipReasonOf: SkipReasonOf,
    /**
     * Roots that are away (root-availability.ts): their photos' files are not there, but they
     * did not move — a copy of one elsewhere is a copy, not the photo leaving its drive.
     */
    private readonly away: ReadonlySet<number> = new Set(),
  ) {}

  /**
   * Phase 1 for one file seen on disk (`known`: the row at its path, if any). Returns whether it
   * was left alone, became a candidate for settle(), or was recorded as skipped.
   */
  async observe(found: FoundFile, folderId: number, known: KnownFile | undefined): Promise<'unchanged' | 'candidate' | 'skipped'> {
    const photos = this.lib.photos;
    const seen: SeenFile = { path: found.path, folderId, size: found.size, mtimeMs: Math.trunc(found.mtimeMs), fileId: found.fileId ?? null, kind: found.kind ?? 'photo' };
    if (found.skip) {
      // A link or an unreadable name: accounted for as skipped, never read.
      const { row, change } = photos.upsertDiscovered(seen);
      if (change !== 'unchanged' || row.status !== 'skipped' || row.skipReason !== found.skip) photos.markSkipped(row.id, found.skip);
      return 'skipped';
    }
    const sameStats = known && known.size === seen.size && known.mtimeMs === seen.mtimeMs && (known.fileId === seen.fileId || known.fileId === null || seen.fileId === null);
    if (known && sameStats && known.status !== 'skipped') {
      if (known.fileId !== seen.fileId || known.folderId !== folderId) this.lib.identity.refresh(known.id, seen, known.folderId !== folderId);
      return 'unchanged';
    }
    if (known && sameStats && known.status === 'skipped' && known.folderId === folderId && !neverRead(known)) return 'unchanged';
    let hash: string;
    try {
      hash = await this.hashOf(found.path);
    } catch (err) {
      // Gone between the listing and the read (renamed, deleted): nothing to record; a row at this
      // path is settled by the pass that no longer sees the file.
      if (err instanceof PolicySkip && err.reason === 'vanished') return 'skipped';
      const { row } = photos.upsertDiscovered(seen);
      const reason = this.skipReasonOf(err);
      // Still unreadable, for the same reason: nothing to write (this is tried on every full pass).
      if (row.status !== 'skipped' || row.skipReason !== reason) photos.markSkipped(row.id, reason);
      return 'skipped';
    }
    // Same bytes: touched, remounted, restored — only the stats change. A skipped photo is decoded
    // again all the same: its verdict may come from a read that raced a write (a save in progress).
    if (known && known.hash === hash && known.status !== 'skipped') {
      this.lib.identity.refresh(known.id, seen, known.folderId !== folderId);
      return 'unchanged';
    }
    this.candidates.push({ seen, hash, atPath: known });
    return 'candidate';
  }

  get pendingCandidates(): number {
    return this.candidates.length;
  }

  /** The content hash of the candidate observe() found last. */
  get lastCandidateHash(): string | undefined {
    return this.candidates[this.candidates.length - 1]?.hash;
  }

  /** Record a file whose bytes differ from (or are new to) its path. */
  addCandidate(c: Candidate): void {
    this.candidates.push(c);
  }

  /**
   * Match candidates against rows whose content left their path, then apply everything in one
   * transaction. `missing`: rows not seen at their path in this pass (deleted when unmatched and
   * `deleteUnmatched`).
   */
  settle(missing: readonly KnownFile[], deleteUnmatched: boolean): SettleResult {
    const out: SettleResult = { added: 0, changed: 0, moved: 0, copied: 0, removed: 0, copies: [] };
    const orphans = new Map<string, KnownFile[]>();
    const addOrphan = (k: KnownFile): void => {
      if (!k.hash) return; // never hashed: its content cannot be recognised elsewhere
      const list = orphans.get(k.hash) ?? [];
      list.push(k);
      orphans.set(k.hash, list);
    };
    for (const m of missing) addOrphan(m);
    for (const c of this.candidates) if (c.atPath) addOrphan(c.atPath);
    // Rows with a vector are the ones worth keeping: try them first.
    for (const list of orphans.values()) list.sort((a, b) => Number(b.status === 'indexed') - Number(a.status === 'indexed') || a.id - b.id);

    const claimed = new Set<number>();
    const moves: { id: number; to: SeenFile; from: KnownFile }[] = [];
    const unresolved: Candidate[] = [];
    for (const c of this.candidates) {
      const o = orphans.get(c.hash)?.find((k) => !claimed.has(k.id) && k.id !== c.atPath?.id) ?? this.goneElsewhere(c.hash, claimed);
      // An unencoded row (a temp file an editor saved and renamed over this one) does not displace
      // an indexed row at this path: the indexed row is changed in place instead.
      if (o && !(o.status !== 'indexed' && c.atPath && c.atPath.status === 'indexed' && !claimed.has(c.atPath.id))) {
        claimed.add(o.id);
        moves.push({ id: o.id, to: c.seen, from: o });
      } else unresolved.push(c);
    }

    const photos = this.lib.photos;
    const identity = this.lib.identity;
    this.lib.transaction(() => {
      // Rows at paths a moved row now takes, which did not move anywhere themselves: their content is gone.
      for (const m of moves) {
        const displaced = this.candidates.find((c) => c.seen.path === m.to.path)?.atPath;
        if (displaced && !claimed.has(displaced.id) && displaced.id !== m.id) {
          photos.delete(displaced.id);
          claimed.add(displaced.id);
          out.removed++;
        }
      }
      identity.moveAll(moves);
      out.moved += moves.length;
      for (const c of unresolved) {
        if (c.atPath && !claimed.has(c.atPath.id)) {
          claimed.add(c.atPath.id);
          identity.markChanged(c.atPath.id, c.seen, c.hash, false);
          out.changed++;
          continue;
        }
        const row = identity.insert(c.seen, c.hash);
        const twin = identity.indexedWithHash(c.hash);
        if (twin && twin.id !== row.id) {
          out.copies.push({ id: row.id, twinId: twin.id });
          out.copied++;
        } else out.added++;
      }
      if (deleteUnmatched) {
        for (const m of missing) {
          if (claimed.has(m.id)) continue;
          if (photos.delete(m.id)) out.removed++;
        }
      }
    });
    this.candidates.length = 0;
    return out;
  }

  /**
   * A row with this content whose file is gone, outside what this pass walked (a partial pass,
   * or a watcher batch that has the add of a move but not yet its unlink).
   */
  private goneElsewhere(hash: string, claimed: ReadonlySet<number>): KnownFile | undefined {
    const row = this.lib.photos
      .findByHash(hash)
      .find((p) => !claimed.has(p.id) && !this.away.has(p.folderId) && !this.candidates.some((c) => c.atPath?.id === p.id) && !fs.existsSync(p.path));
    return row && { id: row.id, path: row.path, folderId: row.folderId, size: row.size, mtimeMs: row.mtimeMs, fileId: null, hash: row.hash, status: row.status, skipReason: row.skipReason };
  }
}
