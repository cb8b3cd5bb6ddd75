/**
 * What the stacks pass reads about pictures (migration 10): each content's fingerprint and capture
 * details (picture_facts, keyed by content hash), joined with the photo rows that hold it. The
 * indexer writes a content's facts in the transaction that stores its vector; the stacks pass
 * writes them for photos indexed before fingerprints existed.
 */
import type { Database, Statement } from './database.ts';

export interface PictureFactsRecord {
  hash: string;
  /** 16 hex digits (media/fingerprint.ts), or null when there were no pixels to hash. */
  phash: string | null;
  sharpness: number;
  subSecMs: number | null;
  uniqueId: string | null;
  burstId: string | null;
}

/** One indexed photo with what the grouping and the cover rule need. */
export interface StackPhotoFacts {
  id: number;
  path: string;
  hash: string;
  width: number;
  height: number;
  size: number;
  takenAt: number | null;
  takenAtSource: 'exif' | 'mtime' | null;
  cameraMake: string | null;
  cameraModel: string | null;
  /** Null when the content's facts are not known yet. */
  facts: Omit<PictureFactsRecord, 'hash'> | null;
}

interface RawFacts {
  id: number;
  path: string;
  hash: string;
  width: number | null;
  height: number | null;
  size: number;
  taken_at: number | null;
  taken_at_source: 'exif' | 'mtime' | null;
  camera_make: string | null;
  camera_model: string | null;
  known: number;
  phash: string | null;
  sharpness: number | null;
  subsec_ms: number | null;
  unique_id: string | null;
  burst_id: string | null;
}

const COLUMNS = `p.id, p.path, p.hash, p.width, p.height, p.size, p.taken_at, p.taken_at_source, p.camera_make, p.camera_model,
  f.hash IS NOT NULL AS known, CASE WHEN f.phash IS NULL THEN NULL ELSE printf('%016x', f.phash) END AS phash,
  f.sharpness, f.subsec_ms, f.unique_id, f.burst_id`;

function toFacts(r: RawFacts): StackPhotoFacts {
  return {
    id: r.id,
    path: r.path,
    hash: r.hash,
    width: r.width ?? 0,
    height: r.height ?? 0,
    size: r.size,
    takenAt: r.taken_at,
    takenAtSource: r.taken_at_source,
    cameraMake: r.camera_make,
    cameraModel: r.camera_model,
    facts: r.known
      ? { phash: r.phash, sharpness: r.sharpness ?? 0, subSecMs: r.subsec_ms, uniqueId: r.unique_id, burstId: r.burst_id }
      : null,
  };
}

/** A 16-hex-digit hash as SQLite's signed 64-bit INTEGER. */
const phashToSql = (hex: string): bigint => BigInt.asIntN(64, BigInt(`0x${hex}`));

export class PictureFactsRepository {
  private readonly s: Record<'save' | 'ofPhotos' | 'page' | 'holding' | 'firstHolder', Statement>;

  constructor(private readonly db: Database) {
    const sql = db.sql;
    this.s = {
      save: sql.prepare(
        `INSERT INTO picture_facts (hash, phash, sharpness, subsec_ms, unique_id, burst_id) VALUES (@hash, @phash, @sharpness, @subSecMs, @uniqueId, @burstId)
         ON CONFLICT (hash) DO UPDATE SET phash = excluded.phash, sharpness = excluded.sharpness, subsec_ms = excluded.subsec_ms,
           unique_id = excluded.unique_id, burst_id = excluded.burst_id`,
      ),
      ofPhotos: sql.prepare(
        `SELECT ${COLUMNS} FROM photos p LEFT JOIN picture_facts f ON f.hash = p.hash
         WHERE p.id IN (SELECT value FROM json_each(?)) AND p.status = 'indexed' AND p.hash IS NOT NULL`,
      ),
      page: sql.prepare(
        `SELECT ${COLUMNS} FROM photos p LEFT JOIN picture_facts f ON f.hash = p.hash
         WHERE p.id > ? AND p.status = 'indexed' AND p.hash IS NOT NULL ORDER BY p.id LIMIT ?`,
      ),
      holding: sql.prepare(
        `SELECT ${COLUMNS} FROM photos p LEFT JOIN picture_facts f ON f.hash = p.hash
         WHERE p.hash IN (SELECT value FROM json_each(?)) AND +p.status = 'indexed' ORDER BY p.id`,
      ),
      firstHolder: sql.prepare(`SELECT id FROM photos WHERE hash = ? AND status = 'indexed' ORDER BY id LIMIT 1`).pluck(),
    };
  }

  /** Records a content's facts (in the caller's transaction when there is one). */
  save(f: PictureFactsRecord): void {
    this.s.save.run({ ...f, phash: f.phash === null ? null : phashToSql(f.phash) });
  }

  /** These photos (indexed, hashed) with their content's facts. */
  ofPhotos(ids: readonly number[]): StackPhotoFacts[] {
    if (ids.length === 0) return [];
    return (this.s.ofPhotos.all(JSON.stringify(ids)) as RawFacts[]).map(toFacts);
  }

  /** A keyset page of every indexed photo with its facts, in id order (loading the grouping). */
  page(afterId: number, limit: number): StackPhotoFacts[] {
    return (this.s.page.all(afterId, Math.floor(limit)) as RawFacts[]).map(toFacts);
  }

  /** The indexed photos holding any of these contents. */
  holding(hashes: readonly string[]): StackPhotoFacts[] {
    if (hashes.length === 0) return [];
    return (this.s.holding.all(JSON.stringify(hashes)) as RawFacts[]).map(toFacts);
  }

  /** An indexed photo holding this content (the lowest id), or null when none does. */
  firstHolder(hash: string): number | null {
    return (this.s.firstHolder.get(hash) as number | undefined) ?? null;
  }
}
