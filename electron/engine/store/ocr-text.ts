/**
 * Text recognised in photos: lines with boxes and confidence, the per-photo OCR state that makes
 * the pass resumable, and substring search over the photos' normalised text.
 *
 * Search by query length (measured at 100k photos, see docs/decisions/ocr.md): 3+ characters go through
 * the FTS5 trigram index (any substring of 3+ characters), 2 characters through the bigram table,
 * 1 character scans the normalised text. Callers pass text already in the search normal form
 * (engine/ocr/normalise-text.ts); this module only stores and matches it.
 *
 * Text counts only while it belongs to the photo: the photo is indexed and its content hash is
 * the one that was read. The migration's triggers drop a photo's OCR rows when its content changes
 * or it can no longer be decoded (it is read again once indexed); deleting a photo removes
 * everything here (foreign-key cascade; the FTS tables through the ocr_text triggers).
 */
import type { Database, Statement } from './database.ts';
import { PhotoFilterSql, type PhotoQuery } from './photo-filter.ts';

export type OcrBox = [[number, number], [number, number], [number, number], [number, number]];

export interface OcrLineRecord {
  text: string;
  confidence: number;
  box: OcrBox;
}

export interface OcrReadResult {
  /** OCR model id: a photo read by another model is pending again. */
  engine: string;
  /** photos.hash at the time of reading. */
  photoHash: string | null;
  lines: readonly OcrLineRecord[];
  /** The whole text in the search normal form (lines joined without a separator). */
  norm: string;
}

export interface OcrPendingPhoto {
  id: number;
  path: string;
  hash: string | null;
}

export interface OcrStateRecord {
  engine: string;
  photoHash: string | null;
  status: 'done' | 'failed';
  lineCount: number;
  error: string | null;
}

export interface OcrCounts {
  /** Indexed photos whose current content this engine has read (with or without text). */
  done: number;
  failed: number;
  /** Indexed photos still to read. */
  pending: number;
  /** Read photos with at least one line. */
  withText: number;
}

export interface TextHit {
  photoId: number;
  /** Share of the photo's text the query covers (occurrences × query length / text length). */
  share: number;
}

/** unicode61 keeps only letters and digits in tokens, so each bigram is written as hex code points. */
export function bigramToken(gram: string): string {
  return 'g' + [...gram].map((c) => c.codePointAt(0)!.toString(16)).join('x');
}

export function distinctBigrams(norm: string): string[] {
  const c = [...norm];
  const out = new Set<string>();
  for (let i = 0; i + 1 < c.length; i++) out.add(c[i] + c[i + 1]);
  return [...out];
}

const ftsPhrase = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** The text is the photo's current one: indexed, and read at its current content. */
const CURRENT = `JOIN ocr_state s ON s.photo_id = p.id AND s.status = 'done' AND s.photo_hash IS p.hash`;

export class OcrTextRepository {
  private readonly s: Record<
    'state' | 'getState' | 'delLines' | 'delText' | 'insLine' | 'insText' | 'insBigrams' | 'lines' | 'linesMany' | 'textsMany' | 'counts' | 'pending' | 'readCopy' | 'norm',
    Statement
  >;
  private readonly searchStmts = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly filters: PhotoFilterSql,
  ) {
    const sql = db.sql;
    this.s = {
      state: sql.prepare(
        `INSERT INTO ocr_state (photo_id, engine, photo_hash, status, line_count, error, read_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (photo_id) DO UPDATE SET engine = excluded.engine, photo_hash = excluded.photo_hash, status = excluded.status,
           line_count = excluded.line_count, error = excluded.error, read_at = excluded.read_at`,
      ),
      getState: sql.prepare('SELECT engine, photo_hash AS photoHash, status, line_count AS lineCount, error FROM ocr_state WHERE photo_id = ?'),
      delLines: sql.prepare('DELETE FROM ocr_lines WHERE photo_id = ?'),
      delText: sql.prepare('DELETE FROM ocr_text WHERE photo_id = ?'),
      insLine: sql.prepare('INSERT INTO ocr_lines (photo_id, line_no, text, confidence, box) VALUES (?, ?, ?, ?, ?)'),
      insText: sql.prepare('INSERT INTO ocr_text (photo_id, norm) VALUES (?, ?)'),
      insBigrams: sql.prepare('INSERT INTO ocr_bigrams (rowid, grams) VALUES (?, ?)'),
      lines: sql.prepare('SELECT text, confidence, box FROM ocr_lines WHERE photo_id = ? ORDER BY line_no'),
      linesMany: sql.prepare(
        'SELECT photo_id, text, confidence, box FROM ocr_lines WHERE photo_id IN (SELECT value FROM json_each(?)) ORDER BY photo_id, line_no',
      ),
      // Index-only counts (ocr_state_engine, photos_kind_status; videos are not read): the triggers keep ocr_state to
      // photos whose current content was read, so pending = indexed − read by this engine.
      textsMany: sql.prepare('SELECT photo_id, text FROM ocr_lines WHERE photo_id IN (SELECT value FROM json_each(?)) ORDER BY photo_id, line_no').raw(),
      counts: sql.prepare(
        `SELECT (SELECT count(*) FROM ocr_state WHERE engine = @engine AND status = 'done') AS done,
                (SELECT count(*) FROM ocr_state WHERE engine = @engine AND status = 'failed') AS failed,
                (SELECT count(*) FROM ocr_state WHERE engine = @engine AND status = 'done' AND line_count > 0) AS withText,
                (SELECT count(*) FROM photos WHERE kind = 'photo' AND status = 'indexed') AS indexed`,
      ),
      // Another photo with these bytes whose text is current. CROSS JOIN keeps photos (by
      // photos_hash: the few with this hash) outside and ocr_state (by its key) inside; left to
      // itself the planner may walk ocr_state_engine, every photo this model read.
      readCopy: sql.prepare(
        `SELECT p.id FROM photos p CROSS JOIN ocr_state s ON s.photo_id = p.id
         WHERE p.hash = ? AND p.id <> ? AND s.engine = ? AND s.status = 'done' AND s.photo_hash = p.hash LIMIT 1`,
      ),
      norm: sql.prepare('SELECT norm FROM ocr_text WHERE photo_id = ?'),
      pending: sql.prepare(
        `SELECT p.id, p.path, p.hash FROM photos p LEFT JOIN ocr_state s ON s.photo_id = p.id
         WHERE p.kind = 'photo' AND p.status = 'indexed' AND p.id > ? AND (s.photo_id IS NULL OR s.engine <> ? OR s.photo_hash IS NOT p.hash)
         ORDER BY p.id LIMIT ?`,
      ),
    };
  }

  /** Replaces whatever was stored for the photo with this reading, in one transaction. */
  saveRead(photoId: number, r: OcrReadResult): void {
    this.db.transaction(() => {
      this.clear(photoId);
      r.lines.forEach((l, i) => this.s.insLine.run(photoId, i, l.text, l.confidence, JSON.stringify(l.box)));
      if (r.norm.length > 0) {
        this.s.insText.run(photoId, r.norm);
        this.s.insBigrams.run(photoId, distinctBigrams(r.norm).map(bigramToken).join(' '));
      }
      this.s.state.run(photoId, r.engine, r.photoHash, 'done', r.lines.length, null, Date.now());
    });
  }

  /**
   * What `engine` read from a byte-identical copy of the photo (another photo with the same
   * content hash, read at that content), ready to save for this one; null when no copy was read.
   * The same bytes give the same text, so a backup folder or an exported duplicate is not read twice.
   */
  readOfCopy(photoId: number, engine: string, hash: string): OcrReadResult | null {
    const copy = this.s.readCopy.get(hash, photoId, engine) as { id: number } | undefined;
    if (!copy) return null;
    const norm = (this.s.norm.get(copy.id) as { norm: string } | undefined)?.norm ?? '';
    return { engine, photoHash: hash, lines: this.lines(copy.id), norm };
  }

  /** A photo that could not be read: recorded, not retried until the model or the photo changes. */
  saveFailure(photoId: number, f: { engine: string; photoHash: string | null; error: string }): void {
    this.db.transaction(() => {
      this.clear(photoId);
      this.s.state.run(photoId, f.engine, f.photoHash, 'failed', 0, f.error, Date.now());
    });
  }

  private clear(photoId: number): void {
    this.s.delLines.run(photoId);
    this.s.delText.run(photoId);
  }

  /** Keyset page (by id) of indexed photos this engine has not read at their current content. */
  pending(engine: string, limit: number, afterId = 0): OcrPendingPhoto[] {
    return this.s.pending.all(afterId, engine, limit) as OcrPendingPhoto[];
  }

  counts(engine: string): OcrCounts {
    const r = this.s.counts.get({ engine }) as { done: number; failed: number; withText: number; indexed: number };
    return { done: r.done, failed: r.failed, pending: Math.max(0, r.indexed - r.done - r.failed), withText: r.withText };
  }

  /** What the OCR pass recorded for the photo (compare engine and hash to know if it is current). */
  state(photoId: number): OcrStateRecord | null {
    return (this.s.getState.get(photoId) as OcrStateRecord | undefined) ?? null;
  }

  lines(photoId: number): OcrLineRecord[] {
    return (this.s.lines.all(photoId) as { text: string; confidence: number; box: string }[]).map(toLine);
  }

  linesMany(photoIds: readonly number[]): Map<number, OcrLineRecord[]> {
    const out = new Map<number, OcrLineRecord[]>();
    if (photoIds.length === 0) return out;
    for (const r of this.s.linesMany.all(JSON.stringify(photoIds)) as { photo_id: number; text: string; confidence: number; box: string }[]) {
      let list = out.get(r.photo_id);
      if (!list) out.set(r.photo_id, (list = []));
      list.push(toLine(r));
    }
    return out;
  }

  /** Just the lines' text (no boxes to parse): what snippets for a page of hits need. */
  lineTextsMany(photoIds: readonly number[]): Map<number, string[]> {
    const out = new Map<number, string[]>();
    if (photoIds.length === 0) return out;
    for (const [id, text] of this.s.textsMany.all(JSON.stringify(photoIds)) as [number, string][]) {
      let list = out.get(id);
      if (!list) out.set(id, (list = []));
      list.push(text);
    }
    return out;
  }

  /**
   * Photos whose current text contains `norm` (already normalised), the highest share first,
   * then the most recent. At most `limit`.
   */
  search(norm: string, limit: number, filter: PhotoQuery = {}): TextHit[] {
    const n = [...norm].length;
    if (n === 0 || !(limit > 0) || PhotoFilterSql.matchesNothing(filter)) return [];
    // One character has no index to narrow by: the text itself is scanned.
    const fts = n >= 2 ? ftsCandidates(norm, 'match') : null;
    const candidates = fts?.sql ?? 'SELECT photo_id AS id FROM ocr_text WHERE instr(norm, @norm) > 0';
    const params: Record<string, unknown> = { norm, limit: Math.floor(limit), ...(fts ? { match: fts.match } : {}) };
    const f = this.filters.where(filter);
    Object.assign(params, f.params);
    // The bigram table is document-level only, so every candidate is verified against the text
    // (which also computes the share); for trigram matches the check is a cheap formality.
    const text = `WITH c AS (${candidates})
      SELECT t.photo_id AS photoId,
             (length(t.norm) - length(replace(t.norm, @norm, ''))) * 1.0 / length(t.norm) AS share
      FROM c JOIN ocr_text t ON t.photo_id = c.id JOIN photos p ON p.id = t.photo_id ${CURRENT}
      WHERE instr(t.norm, @norm) > 0 AND p.status = 'indexed' AND ${f.sql}
      ORDER BY share DESC, p.taken_at DESC, p.id DESC LIMIT @limit`;
    return this.hits(text, params);
  }

  /**
   * Photos whose current text contains every one of `norms` (already normalised, each of at least
   * two characters), the most of their text covered by them first, then the most recent. At most
   * `limit`. The words' candidate lists are intersected in full, so a photo is found however common
   * one of its words is elsewhere.
   */
  searchAllWords(norms: readonly string[], limit: number, filter: PhotoQuery = {}): TextHit[] {
    const words = [...new Set(norms)];
    if (words.length === 0 || words.some((w) => [...w].length < 2) || !(limit > 0) || PhotoFilterSql.matchesNothing(filter)) return [];
    const params: Record<string, unknown> = { limit: Math.floor(limit) };
    const candidates = words.map((w, i) => {
      const fts = ftsCandidates(w, `m${i}`);
      params[`n${i}`] = w;
      params[`m${i}`] = fts.match;
      return fts.sql;
    });
    const f = this.filters.where(filter);
    Object.assign(params, f.params);
    const covered = words.map((_, i) => `(length(t.norm) - length(replace(t.norm, @n${i}, '')))`).join(' + ');
    // `IN (…)`, not a CTE joined in: with the CTE the planner walked every indexed photo and probed
    // the intersection (~50 ms at 100k photos); this way it starts from the few photos in it (~0.5 ms).
    const text = `SELECT t.photo_id AS photoId, (${covered}) * 1.0 / length(t.norm) AS share
      FROM ocr_text t JOIN photos p ON p.id = t.photo_id ${CURRENT}
      WHERE t.photo_id IN (${candidates.join(' INTERSECT ')})
        AND ${words.map((_, i) => `instr(t.norm, @n${i}) > 0`).join(' AND ')} AND p.status = 'indexed' AND ${f.sql}
      ORDER BY share DESC, p.taken_at DESC, p.id DESC LIMIT @limit`;
    return this.hits(text, params);
  }

  /** Runs a search's SQL (one prepared statement per distinct text: the filters change it). */
  private hits(text: string, params: Record<string, unknown>): TextHit[] {
    let stmt = this.searchStmts.get(text);
    if (!stmt) this.searchStmts.set(text, (stmt = this.db.sql.prepare(text)));
    return stmt.all(params) as TextHit[];
  }
}

/**
 * The photos an FTS index offers for a word of at least two characters (each to be checked
 * against the text): the trigram index from three characters, the bigram one for two. The SQL
 * reads `match` from the parameter named `param`.
 */
function ftsCandidates(norm: string, param: string): { sql: string; match: string } {
  return [...norm].length >= 3
    ? { sql: `SELECT rowid AS id FROM ocr_fts WHERE ocr_fts MATCH @${param}`, match: ftsPhrase(norm) }
    : { sql: `SELECT rowid AS id FROM ocr_bigrams WHERE ocr_bigrams MATCH @${param}`, match: ftsPhrase(bigramToken(norm)) };
}

function toLine(r: { text: string; confidence: number; box: string }): OcrLineRecord {
  return { text: r.text, confidence: r.confidence, box: JSON.parse(r.box) as OcrBox };
}
