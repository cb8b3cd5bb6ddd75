/**
 * Stacks as stored (migration 10): the stacks pass writes them, lists read them.
 *
 * A stack is shown once, by its best-ranked member that the list's filter lets through (rank 0 is
 * the cover): that is a rule about each photo alone given the filter, so a keyset-paged list that
 * leaves out the others (`hiddenAmong`) never repeats or skips a stack between pages. Decisions
 * ("not the same", a chosen cover) are keyed by content hashes (stack-decisions.ts).
 */
import type { Database, Statement } from './database.ts';
import { PhotoFilterSql, type PhotoQuery } from './photo-filter.ts';

export type StackKind = 'exact' | 'near' | 'burst';

/** A stack as a hit carries it. */
export interface StackBadge {
  id: number;
  /** Photos in the stack (all of them, whatever the list's filter). */
  size: number;
  kind: StackKind;
  /** The stack's cover (its best-ranked photo). */
  coverId: number;
}

export interface StoredStack {
  id: number;
  kind: StackKind;
  /** In rank order: the cover first. */
  photos: { photoId: number; unitId: number }[];
}

/** One row of a stack with what the duplicates report and the stack view show. */
export interface StackMemberRow {
  stackId: number;
  kind: StackKind;
  unitId: number;
  rank: number;
  photoId: number;
  path: string;
  hash: string;
  size: number;
  width: number;
  height: number;
  sharpness: number;
}

interface RawMember {
  stack_id: number;
  kind: StackKind;
  unit_id: number;
  rank: number;
  photo_id: number;
  path: string;
  hash: string;
  size: number;
  width: number | null;
  height: number | null;
  sharpness: number | null;
}

/** A photo's own columns, shared by stack members and exact copies. */
type RawPhoto = Pick<RawMember, 'photo_id' | 'path' | 'hash' | 'size' | 'width' | 'height' | 'sharpness'>;
type PhotoColumns = Omit<StackMemberRow, 'stackId' | 'kind' | 'unitId' | 'rank'>;
const toPhoto = (r: RawPhoto): PhotoColumns => ({
  photoId: r.photo_id,
  path: r.path,
  hash: r.hash,
  size: r.size,
  width: r.width ?? 0,
  height: r.height ?? 0,
  sharpness: r.sharpness ?? 0,
});

const toMember = (r: RawMember): StackMemberRow => ({ stackId: r.stack_id, kind: r.kind, unitId: r.unit_id, rank: r.rank, ...toPhoto(r) });

const MEMBER_COLUMNS = `m.stack_id, s.kind, m.unit_id, m.rank, p.id AS photo_id, p.path, p.hash, p.size, p.width, p.height, f.sharpness
  FROM stack_photos m JOIN stacks s ON s.id = m.stack_id JOIN photos p ON p.id = m.photo_id LEFT JOIN picture_facts f ON f.hash = p.hash`;

type Key =
  | 'badges'
  | 'deleteStack'
  | 'insertStack'
  | 'insertPhoto'
  | 'grouping'
  | 'clear'
  | 'members'
  | 'all'
  | 'setRank'
  | 'count'
  | 'exact'
  | 'reopen'
  | 'detach'
  | 'left'
  | 'hiddenAll'
  | 'changes';

export class StackRepository {
  private readonly s: Record<Key, Statement>;
  private readonly stmts = new Map<string, Statement>();
  private readonly counted = new Map<string, { gen: string; value: number }>();

  constructor(
    private readonly db: Database,
    private readonly filters: PhotoFilterSql,
  ) {
    const sql = db.sql;
    this.s = {
      badges: sql.prepare(
        `SELECT m.photo_id, m.stack_id, s.kind, (SELECT count(*) FROM stack_photos c WHERE c.stack_id = m.stack_id) AS size,
           (SELECT c.photo_id FROM stack_photos c WHERE c.stack_id = m.stack_id ORDER BY c.rank LIMIT 1) AS cover_id
         FROM stack_photos m JOIN stacks s ON s.id = m.stack_id WHERE m.photo_id IN (SELECT value FROM json_each(?))`,
      ),
      deleteStack: sql.prepare('DELETE FROM stacks WHERE id = ?'),
      insertStack: sql.prepare('INSERT INTO stacks (id, kind, updated_at) VALUES (?, ?, ?)'),
      // A photo moves from the stack it was in (its row is replaced).
      insertPhoto: sql.prepare('INSERT OR REPLACE INTO stack_photos (photo_id, stack_id, unit_id, rank) VALUES (?, ?, ?, ?)'),
      grouping: sql.prepare(
        `SELECT m.stack_id, s.kind, m.unit_id, p.hash FROM stack_photos m JOIN stacks s ON s.id = m.stack_id JOIN photos p ON p.id = m.photo_id
         ORDER BY m.stack_id, m.unit_id`,
      ),
      clear: sql.prepare('DELETE FROM stacks'),
      members: sql.prepare(`SELECT ${MEMBER_COLUMNS} WHERE m.stack_id = ? ORDER BY m.rank`),
      all: sql.prepare(`SELECT ${MEMBER_COLUMNS} ORDER BY m.stack_id, m.rank`),
      setRank: sql.prepare('UPDATE stack_photos SET rank = ? WHERE photo_id = ? AND stack_id = ?'),
      count: sql.prepare('SELECT count(*) FROM stacks').pluck(),
      exact: sql.prepare(
        `SELECT p.id AS photo_id, p.path, p.hash, p.size, p.width, p.height, f.sharpness, m.stack_id
         FROM photos p LEFT JOIN picture_facts f ON f.hash = p.hash LEFT JOIN stack_photos m ON m.photo_id = p.id
         WHERE p.status = 'indexed' AND p.hash IN (SELECT hash FROM photos WHERE status = 'indexed' AND hash IS NOT NULL GROUP BY hash HAVING count(*) > 1)
         ORDER BY p.hash, p.id`,
      ),
      // The stack's photos are owed to the stacks pass again (it regroups them under a new decision).
      reopen: sql.prepare(`DELETE FROM pass_state WHERE pass = 'stacks' AND photo_id IN (SELECT photo_id FROM stack_photos WHERE stack_id = ?)`),
      detach: sql.prepare('DELETE FROM stack_photos WHERE stack_id = ? AND photo_id IN (SELECT id FROM photos WHERE hash = ?)'),
      left: sql.prepare('SELECT count(*) FROM stack_photos WHERE stack_id = ?').pluck(),
      hiddenAll: sql.prepare('SELECT count(*) - count(DISTINCT stack_id) FROM stack_photos').pluck(),
      changes: sql.prepare('SELECT total_changes()').pluck(),
    };
  }

  /** Each photo's stack, for photos in a stack of two or more. */
  badges(photoIds: readonly number[]): Map<number, StackBadge> {
    const out = new Map<number, StackBadge>();
    if (photoIds.length === 0) return out;
    for (const r of this.s.badges.all(JSON.stringify(photoIds)) as { photo_id: number; stack_id: number; kind: StackKind; size: number; cover_id: number }[]) {
      if (r.size > 1) out.set(r.photo_id, { id: r.stack_id, size: r.size, kind: r.kind, coverId: r.cover_id });
    }
    return out;
  }

  /**
   * Of these photos, those a list under filter `q` leaves out: a member of the same stack with a
   * better rank passes the filter too (and stands in for the stack).
   */
  hiddenAmong(photoIds: readonly number[], q: PhotoQuery): Set<number> {
    const out = new Set<number>();
    if (photoIds.length === 0 || PhotoFilterSql.matchesNothing(q)) return out;
    const f = this.filters.where(q);
    // CROSS JOIN keeps SQLite starting from the page's stacks (their members by index, then each
    // photo by id): left to itself it may walk every indexed photo instead (O(library) a page).
    const text = `SELECT me.photo_id FROM stack_photos me JOIN (
        SELECT m.stack_id, min(m.rank) AS best FROM stack_photos m CROSS JOIN photos p ON p.id = m.photo_id
        WHERE m.stack_id IN (SELECT stack_id FROM stack_photos WHERE photo_id IN (SELECT value FROM json_each(@s_ids)))
          AND p.status = 'indexed' AND ${f.sql}
        GROUP BY m.stack_id) b ON b.stack_id = me.stack_id
      WHERE me.photo_id IN (SELECT value FROM json_each(@s_ids)) AND me.rank > b.best`;
    for (const id of this.stmt(text).pluck().all({ ...f.params, s_ids: JSON.stringify(photoIds) }) as number[]) out.add(id);
    return out;
  }

  /**
   * How many photos under filter `q` a list leaves out (in each stack, all it lets through but
   * one). Kept until the database changes (this connection's total_changes(), other connections'
   * data_version): at a million photos the count walks a third of them (15–70 ms), and a list
   * asks for it with every first page.
   */
  hiddenCount(q: PhotoQuery): number {
    if (PhotoFilterSql.matchesNothing(q)) return 0;
    const f = this.filters.where(q);
    const key = `${f.sql}|${JSON.stringify(f.params)}`;
    const gen = `${this.s.changes.get() as number}:${this.db.sql.pragma('data_version', { simple: true }) as number}`;
    const hit = this.counted.get(key);
    if (hit?.gen === gen) return hit.value;
    // Without a filter, from the index alone (every row is an indexed photo's: the triggers drop the rest).
    const value =
      f.sql === '1'
        ? (this.s.hiddenAll.get() as number)
        : (this.stmt(`SELECT count(*) - count(DISTINCT m.stack_id) FROM stack_photos m JOIN photos p ON p.id = m.photo_id WHERE p.status = 'indexed' AND ${f.sql}`)
            .pluck()
            .get(f.params) as number);
    if (this.counted.size >= 32) this.counted.delete(this.counted.keys().next().value!);
    this.counted.set(key, { gen, value });
    return value;
  }

  /**
   * Replaces stacks: `removed` (stack ids) are deleted with their rows, then `stacks` written, in
   * one transaction. A photo written here leaves whatever stack it was in.
   */
  replace(removed: Iterable<number>, stacks: readonly StoredStack[]): void {
    const now = Date.now();
    this.db.transaction(() => {
      for (const id of removed) this.s.deleteStack.run(id);
      for (const st of stacks) {
        this.s.deleteStack.run(st.id);
        this.s.insertStack.run(st.id, st.kind, now);
        st.photos.forEach((p, rank) => this.s.insertPhoto.run(p.photoId, st.id, p.unitId, rank));
      }
    });
  }

  /** Every stored stack's units and their contents, for the grouping to take back after a restart. */
  grouping(): { stackId: number; kind: StackKind; unitId: number; hash: string }[] {
    return (this.s.grouping.all() as { stack_id: number; kind: StackKind; unit_id: number; hash: string }[]).map((r) => ({
      stackId: r.stack_id,
      kind: r.kind,
      unitId: r.unit_id,
      hash: r.hash,
    }));
  }

  /** Drops every stack (the grouping starts again: another model, other thresholds). */
  clear(): void {
    this.s.clear.run();
  }

  count(): number {
    return this.s.count.get() as number;
  }

  /** One stack's photos, cover first. */
  members(stackId: number): StackMemberRow[] {
    return (this.s.members.all(stackId) as RawMember[]).map(toMember);
  }

  /** Every stack's photos, by stack, cover first (the duplicates report). */
  allMembers(): StackMemberRow[] {
    return (this.s.all.all() as RawMember[]).map(toMember);
  }

  /** Photos sharing their content with another indexed photo (byte-identical copies), by content, with their stack if any. */
  exactCopies(): (PhotoColumns & { stackId: number | null })[] {
    type Raw = RawPhoto & { stack_id: number | null };
    return (this.s.exact.all() as Raw[]).map((r) => ({ ...toPhoto(r), stackId: r.stack_id }));
  }

  /**
   * The person said a picture is not the same as the rest of its stack: its photos leave the stack
   * at once (a stack left with one photo is none), and the stack's photos are owed to the stacks
   * pass, which regroups them under the decision. Returns the photos left in the stack.
   */
  detach(stackId: number, hash: string): number {
    return this.db.transaction(() => {
      this.s.reopen.run(stackId);
      this.s.detach.run(stackId, hash);
      const left = this.s.left.get(stackId) as number;
      if (left < 2) this.s.deleteStack.run(stackId);
      return left < 2 ? 0 : left;
    });
  }

  /** A stack's order after the person chose a cover (photo ids, the cover first). */
  setOrder(stackId: number, photoIds: readonly number[]): void {
    this.db.transaction(() => photoIds.forEach((id, rank) => this.s.setRank.run(rank, id, stackId)));
  }

  private stmt(text: string): Statement {
    let s = this.stmts.get(text);
    if (!s) this.stmts.set(text, (s = this.db.sql.prepare(text)));
    return s;
  }
}
