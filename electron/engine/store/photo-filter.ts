/**
 * The one translator of the photo filter: a PhotoQuery (the contract's PhotoFilter resolved by
 * engine/library/photo-filter.ts) becomes what each reader of the store needs —
 *
 * - `where()`: one SQL condition over `photos p` (browsing, the text search, listings);
 * - `compile()`: the parts sqlite-vec's KNN applies natively (taken_at and folder_id are vec0
 *   metadata columns) plus the rest as a photo-id subquery (VectorRepository.knn);
 * - `selection()`: integer bounds and materialised id lists for in-memory indexes (the codes
 *   index's mask).
 *
 * Adding a filter field: a PhotoQuery member and its condition in `rowConditions` (and, if vec0
 * or the in-memory index carry it natively, in `compile`/`selection`). Every reader follows.
 */
import type { Database, Statement } from './database.ts';
import { subtreeRange } from './paths.ts';
import { localTimeSql } from './local-time-sql.ts';
import { SCREENSHOT_SQL } from './screenshot-rule.ts';
import { UNKNOWN_TAKEN_AT } from './vec-table.ts';

/** A filter as the store applies it: resolved bounds and keys. Absent members narrow nothing. */
export interface PhotoQuery {
  /** Only photos whose directory is this folder or below it (absolute, platform form). */
  dirPrefix?: string;
  /** Unix ms, inclusive. */
  after?: number;
  /** Unix ms, exclusive. */
  before?: number;
  /** Only photos carrying this tag. */
  tag?: string;
  /** Only these photos (an empty list matches nothing). */
  photoIds?: readonly number[];
  /** Only the photos of this stack (stacks.ts). */
  stackId?: number;
  /**
   * Not a condition on rows: lists show each stack once (library/stack-collapse.ts leaves out the
   * members a better-ranked member stands in for). Part of the query so cursors tell the lists apart.
   */
  collapseStacks?: boolean;
  /** Each list: the photo was taken at one of these places, at any level (photo_places); every list must hold. */
  places?: readonly (readonly string[])[];
  /** What the item is: a video (migration 9), a screenshot (a photo by screenshot-rule.ts) or another photo. */
  kind?: PhotoKind;
  /** Each: the camera's EXIF Make is one of `makes` (any case) and its Model contains `model`; every one must hold. */
  cameras?: readonly CameraCondition[];
  /** Each: the local hour taken is in [from, to) (from > to crosses midnight); every one must hold. */
  hours?: readonly HourCondition[];
  /** Each: the local day of the week taken is one of these ISO numbers (1 Monday … 7 Sunday); every one must hold. */
  weekdays?: readonly (readonly number[])[];
  /** Each: the local month and day taken, as month × 100 + day (1207: 7 December), any year; every one must hold. */
  monthDays?: readonly number[];
}

export type PhotoKind = 'photo' | 'screenshot' | 'video';

export interface CameraCondition {
  makes: readonly string[];
  model?: string;
}

export interface HourCondition {
  /** 0–23. */
  from: number;
  /** 1–24, exclusive. */
  to: number;
}

/** A filter as an in-memory index applies it: integer bounds and materialised id lists. */
export interface FilterSelection {
  /** Inclusive lower bound on taken_at (unknown dates are UNKNOWN_TAKEN_AT, the smallest integer). */
  after?: number;
  /** Exclusive upper bound on taken_at. */
  before?: number;
  /** folder_id must be one of these. */
  folderIds?: number[];
  /** Photo-id allow-lists; a photo must be in every one. */
  allow?: (readonly number[])[];
}

/** SQL over `photos p` with named parameters (prefixed `f_`, so callers' own names never clash). */
export interface SqlCondition {
  sql: string;
  params: Record<string, unknown>;
}

/** What one filter compiles to; each reader takes the parts it can apply natively. */
export interface CompiledFilter {
  /** taken_at bounds; any bound also excludes photos without a date. */
  after?: number;
  before?: number;
  /** folder_id must be one of these (the folder condition reduced to whole roots). */
  folderIds?: number[];
  /** The remaining conditions on photo rows, or null when there are none. */
  rows: SqlCondition | null;
}

/** memcmp order, as SQLite's BINARY collation compares TEXT. */
const byteCmp = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const within = (key: string, r: { lo: string; hi: string }): boolean => byteCmp(key, r.lo) >= 0 && byteCmp(key, r.hi) < 0;

type FolderCondition = { kind: 'roots'; rootIds: number[] } | { kind: 'range'; lo: string; hi: string } | undefined;

export class PhotoFilterSql {
  private readonly s: Record<'coversAll' | 'roots', Statement>;
  private readonly idStmts = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    const sql = db.sql;
    this.s = {
      coversAll: sql.prepare('SELECT NOT EXISTS (SELECT 1 FROM photos WHERE dir < ?) AND NOT EXISTS (SELECT 1 FROM photos WHERE dir >= ?)').pluck(),
      roots: sql.prepare('SELECT id, path FROM folders'),
    };
  }

  /** True when the filter can match no photo at all (without reading anything). */
  static matchesNothing(q: PhotoQuery): boolean {
    return (
      (q.photoIds !== undefined && q.photoIds.length === 0) ||
      (q.after !== undefined && q.before !== undefined && q.after >= q.before) ||
      (q.places?.some((ids) => ids.length === 0) ?? false)
    );
  }

  compile(q: PhotoQuery): CompiledFilter {
    const out: CompiledFilter = { ...dateBounds(q), rows: null };
    const conds: string[] = [];
    const params: Record<string, unknown> = {};
    if (q.dirPrefix !== undefined) {
      const folder = this.folderCondition(q.dirPrefix);
      if (folder?.kind === 'roots') out.folderIds = folder.rootIds;
      else if (folder?.kind === 'range') {
        conds.push('p.dir >= @f_lo AND p.dir < @f_hi');
        Object.assign(params, { f_lo: folder.lo, f_hi: folder.hi });
      }
    }
    rowConditions(q, conds, params);
    if (conds.length > 0) out.rows = { sql: conds.join(' AND '), params };
    return out;
  }

  /** Every condition as one WHERE over `photos p` ('1' when the filter narrows nothing). */
  where(q: PhotoQuery): SqlCondition {
    const c = this.compile(q);
    const conds: string[] = [];
    const params: Record<string, unknown> = { ...c.rows?.params };
    if (c.after !== undefined) {
      conds.push('p.taken_at >= @f_after');
      params.f_after = c.after;
    }
    if (c.before !== undefined) {
      conds.push('p.taken_at < @f_before');
      params.f_before = c.before;
    }
    if (c.folderIds) {
      conds.push('p.folder_id IN (SELECT value FROM json_each(@f_folders))');
      params.f_folders = JSON.stringify(c.folderIds);
    }
    if (c.rows) conds.push(c.rows.sql);
    return { sql: conds.length ? conds.join(' AND ') : '1', params };
  }

  /** The same filter for an in-memory index: bounds and id lists. */
  selection(q: PhotoQuery): FilterSelection {
    // An explicit id list is passed through as it is. A tag or a stack is a list of its own, read
    // from its table alone: as a condition on photos, SQLite looks each id up in photos (55 ms for
    // the 50k photos of a 5% tag at 1M, against 5.7 ms from photo_tags). The other row conditions
    // become one list.
    const { photoIds, tag, stackId, ...rest } = q;
    const c = this.compile(rest);
    const sel: FilterSelection = {};
    if (c.after !== undefined) sel.after = c.after;
    if (c.before !== undefined) sel.before = c.before;
    if (c.folderIds) sel.folderIds = c.folderIds;
    const allow: (readonly number[])[] = [];
    if (photoIds) allow.push(photoIds);
    if (tag !== undefined) allow.push(this.ids(`SELECT json_group_array(photo_id) FROM (${TAG_MEMBERS})`, { f_tag: tag }));
    if (stackId !== undefined) allow.push(this.ids(`SELECT json_group_array(photo_id) FROM (${STACK_MEMBERS})`, { f_stack: stackId }));
    if (c.rows) allow.push(this.ids(`SELECT json_group_array(p.id) FROM photos p WHERE ${c.rows.sql}`, c.rows.params));
    if (allow.length > 0) sel.allow = allow;
    return sel;
  }

  /** Photo ids from a query returning one JSON array (instead of a row per id: ~30% faster for the 50k ids of a 5% tag at 1M). */
  private ids(text: string, params: Record<string, unknown>): number[] {
    let stmt = this.idStmts.get(text);
    if (!stmt) this.idStmts.set(text, (stmt = this.db.sql.prepare(text).pluck()));
    return JSON.parse(stmt.get(params) as string) as number[];
  }

  /**
   * How to restrict to a folder subtree, cheapest first:
   * - nothing, when every photo is inside it;
   * - `folder_id IN roots` (integer metadata, as cheap as the date filter), when no watched root
   *   strictly contains the folder: then each photo under it belongs to a root inside it, given
   *   the invariant that a photo's path lies under its root's path;
   * - else a range over the photos.dir index.
   */
  private folderCondition(dirPrefix: string): FolderCondition {
    const range = subtreeRange(dirPrefix);
    if (this.s.coversAll.get(range.lo, range.hi)) return undefined;
    const roots = (this.s.roots.all() as { id: number; path: string }[]).map((r) => ({ id: r.id, ...subtreeRange(r.path) }));
    const enclosed = roots.some((r) => r.lo !== range.lo && within(range.lo, r));
    if (enclosed) return { kind: 'range', ...range };
    return { kind: 'roots', rootIds: roots.filter((r) => within(r.lo, range)).map((r) => r.id) };
  }
}

/** The photos carrying the tag @f_tag, and those of the stack @f_stack (a column photo_id each). */
const TAG_MEMBERS = 'SELECT pt.photo_id FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = @f_tag';
const STACK_MEMBERS = 'SELECT photo_id FROM stack_photos WHERE stack_id = @f_stack';

/** Conditions on photo rows other than the folder (which needs the roots): one line per field. */
function rowConditions(q: PhotoQuery, conds: string[], params: Record<string, unknown>): void {
  if (q.tag !== undefined) {
    conds.push(`p.id IN (${TAG_MEMBERS})`);
    params.f_tag = q.tag;
  }
  if (q.photoIds !== undefined) {
    conds.push('p.id IN (SELECT value FROM json_each(@f_ids))');
    params.f_ids = JSON.stringify(q.photoIds);
  }
  if (q.stackId !== undefined) {
    conds.push(`p.id IN (${STACK_MEMBERS})`);
    params.f_stack = q.stackId;
  }
  q.places?.forEach((ids, i) => {
    // The photo's taken_at is kept beside its places (migration 7), so a place with a time range
    // is one range of the (place_id, taken_at) index: only the photos of that place and time.
    const bounds = placeTimeBounds(q, params);
    conds.push(`p.id IN (SELECT pp.photo_id FROM photo_places pp WHERE pp.place_id IN (SELECT value FROM json_each(@f_places${i}))${bounds})`);
    params[`f_places${i}`] = JSON.stringify(ids);
  });
  if (q.kind !== undefined) conds.push(KIND_SQL[q.kind]);
  q.cameras?.forEach((c, i) => {
    conds.push(`lower(p.camera_make) IN (SELECT lower(value) FROM json_each(@f_makes${i}))`);
    params[`f_makes${i}`] = JSON.stringify(c.makes);
    if (c.model !== undefined) {
      conds.push(`p.camera_model LIKE @f_model${i} ESCAPE '\\'`);
      params[`f_model${i}`] = `%${c.model.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    }
  });
  // Hours, month-days and weekdays last: the local-time conversion (local-time-sql.ts) is the dearest test, made only for rows the others keep.
  q.hours?.forEach((h, i) => {
    const hour = localTimeSql('hour', params);
    conds.push(`p.taken_at IS NOT NULL AND (${hour} >= @f_hfrom${i} ${h.from < h.to ? 'AND' : 'OR'} ${hour} < @f_hto${i})`);
    Object.assign(params, { [`f_hfrom${i}`]: h.from, [`f_hto${i}`]: h.to });
  });
  q.monthDays?.forEach((md, i) => {
    conds.push(`p.taken_at IS NOT NULL AND ${localTimeSql('monthDay', params)} = @f_md${i}`);
    params[`f_md${i}`] = md;
  });
  q.weekdays?.forEach((days, i) => {
    conds.push(`p.taken_at IS NOT NULL AND ${localTimeSql('weekday', params)} IN (SELECT value FROM json_each(@f_wdays${i}))`);
    params[`f_wdays${i}`] = JSON.stringify(days);
  });
}

/**
 * The kind of item as SQL: a video by its row (migration 9); a screenshot is a photo by
 * screenshot-rule.ts; a photo is any other photo. (Searches send `kind` into no vector table:
 * photo vectors are photos and frames are videos — search/video-segments.ts `sideFilters` picks
 * the side, keeping 'photo' and 'screenshot' as row conditions on the photo side.)
 */
const KIND_SQL: Record<PhotoKind, string> = {
  screenshot: `p.kind = 'photo' AND ${SCREENSHOT_SQL}`,
  photo: `p.kind = 'photo' AND NOT ${SCREENSHOT_SQL}`,
  video: `p.kind = 'video'`,
};

/** The filter's taken_at bounds as conditions on photo_places' copy of it ('' without bounds). */
function placeTimeBounds(q: PhotoQuery, params: Record<string, unknown>): string {
  let sql = '';
  if (q.after !== undefined) {
    sql += ' AND pp.taken_at >= @f_pp_after';
    params.f_pp_after = Math.ceil(q.after);
  }
  if (q.before !== undefined) {
    sql += ' AND pp.taken_at < @f_pp_before';
    params.f_pp_before = Math.ceil(q.before);
  }
  return sql;
}

/** Any date bound also excludes photos with no date (stored in vec0 as the smallest integer). */
function dateBounds(q: PhotoQuery): { after?: number; before?: number } {
  const after = q.after ?? (q.before !== undefined ? UNKNOWN_TAKEN_AT + 1 : undefined);
  const out: { after?: number; before?: number } = {};
  if (after !== undefined) out.after = Math.ceil(after);
  if (q.before !== undefined) out.before = Math.ceil(q.before);
  return out;
}
