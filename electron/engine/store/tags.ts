/** Tag vocabulary, cached tag prompt vectors per model, and photo <-> tag assignments. */
import type { Database, Statement } from './database.ts';
import { fromBlob, toBlob } from './codec.ts';
import { toTag, type RawTag, type TagRow } from './rows.ts';

export interface TagInput {
  name: string;
  nameEn?: string | null;
  family?: string | null;
  synonyms?: readonly string[];
  custom?: boolean;
}

export interface TagWithCount extends TagRow {
  photoCount: number;
}

export interface TagScore {
  tagId: number;
  score: number;
}

export interface PhotoScore {
  photoId: number;
  score: number;
}

export class TagRepository {
  private readonly s: Record<
    | 'upsert'
    | 'byName'
    | 'list'
    | 'remove'
    | 'getVector'
    | 'setVector'
    | 'clearPhoto'
    | 'clearTag'
    | 'assign'
    | 'photoTags'
    | 'photoTagsMany'
    | 'photosByTag',
    Statement
  >;

  constructor(private readonly db: Database) {
    const sql = db.sql;
    this.s = {
      upsert: sql.prepare(
        `INSERT INTO tags (name, name_en, family, synonyms, custom, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET name_en = excluded.name_en, family = excluded.family,
           synonyms = excluded.synonyms, custom = excluded.custom
         RETURNING id`,
      ),
      byName: sql.prepare('SELECT * FROM tags WHERE name = ?'),
      list: sql.prepare(
        `SELECT t.*, (SELECT count(*) FROM photo_tags pt WHERE pt.tag_id = t.id) AS photo_count
         FROM tags t ORDER BY t.custom DESC, t.family, t.name`,
      ),
      remove: sql.prepare('DELETE FROM tags WHERE name = ?'),
      getVector: sql.prepare('SELECT vector FROM tag_vectors WHERE model_key = ? AND tag_id = ? AND fingerprint = ?'),
      setVector: sql.prepare(
        `INSERT INTO tag_vectors (model_key, tag_id, fingerprint, vector) VALUES (?, ?, ?, ?)
         ON CONFLICT (model_key, tag_id) DO UPDATE SET fingerprint = excluded.fingerprint, vector = excluded.vector`,
      ),
      clearPhoto: sql.prepare('DELETE FROM photo_tags WHERE photo_id = ?'),
      clearTag: sql.prepare('DELETE FROM photo_tags WHERE tag_id = ?'),
      assign: sql.prepare('INSERT INTO photo_tags (photo_id, tag_id, score) VALUES (?, ?, ?)'),
      photoTags: sql.prepare(
        `SELECT t.name, pt.score FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id
         WHERE pt.photo_id = ? ORDER BY pt.score DESC, t.name`,
      ),
      // Same order as photoTags, per photo; one query for a whole page of results.
      photoTagsMany: sql.prepare(
        `SELECT pt.photo_id, t.name, pt.score FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id
         WHERE pt.photo_id IN (SELECT value FROM json_each(?))
         ORDER BY pt.photo_id, pt.score DESC, t.name`,
      ),
      photosByTag: sql.prepare(
        `SELECT pt.photo_id, pt.score FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id
         WHERE t.name = ? ORDER BY pt.score DESC, pt.photo_id LIMIT ?`,
      ),
    };
    this.s.getVector.pluck();
    this.s.upsert.pluck();
  }

  /** Inserts or updates by name; returns the tag id (stable across updates). */
  upsertTag(tag: TagInput): number {
    return this.s.upsert.get(
      tag.name,
      tag.nameEn ?? null,
      tag.family ?? null,
      JSON.stringify(tag.synonyms ?? []),
      tag.custom ? 1 : 0,
      Date.now(),
    ) as number;
  }

  getTag(name: string): TagRow | undefined {
    const r = this.s.byName.get(name) as RawTag | undefined;
    return r && toTag(r);
  }

  listTags(): TagWithCount[] {
    return (this.s.list.all() as (RawTag & { photo_count: number })[]).map((r) => ({
      ...toTag(r),
      photoCount: r.photo_count,
    }));
  }

  /** Also removes its assignments and cached vectors (cascade). */
  removeTag(name: string): boolean {
    return this.s.remove.run(name).changes > 0;
  }

  /** The cached prompt vector, only if it was computed from the same prompts and model. */
  getTagVector(modelKey: string, tagId: number, fingerprint: string): Float32Array | undefined {
    const blob = this.s.getVector.get(modelKey, tagId, fingerprint) as Buffer | undefined;
    return blob && fromBlob(blob);
  }

  setTagVector(modelKey: string, tagId: number, fingerprint: string, vector: Float32Array): void {
    this.s.setVector.run(modelKey, tagId, fingerprint, toBlob(vector));
  }

  replacePhotoTags(photoId: number, tags: readonly TagScore[]): void {
    this.db.transaction(() => {
      this.s.clearPhoto.run(photoId);
      for (const t of tags) this.s.assign.run(photoId, t.tagId, t.score);
    });
  }

  /** Many photos in one transaction: library-wide tagging passes. */
  replacePhotoTagsMany(entries: Iterable<{ photoId: number; tags: readonly TagScore[] }>): void {
    this.db.transaction(() => {
      for (const e of entries) this.replacePhotoTags(e.photoId, e.tags);
    });
  }

  /** Re-applies one tag across the library (e.g. a custom tag was added or its prompt changed). */
  replaceTagAssignments(tagId: number, assignments: readonly PhotoScore[]): void {
    this.db.transaction(() => {
      this.s.clearTag.run(tagId);
      for (const a of assignments) this.s.assign.run(a.photoId, tagId, a.score);
    });
  }

  photoTags(photoId: number): { name: string; score: number }[] {
    return this.s.photoTags.all(photoId) as { name: string; score: number }[];
  }

  /** Tags of many photos at once (each list ordered like photoTags); photos without tags map to []. */
  photoTagsMany(photoIds: readonly number[]): Map<number, { name: string; score: number }[]> {
    const out = new Map<number, { name: string; score: number }[]>(photoIds.map((id) => [id, []]));
    if (photoIds.length === 0) return out;
    const rows = this.s.photoTagsMany.all(JSON.stringify(photoIds)) as { photo_id: number; name: string; score: number }[];
    for (const r of rows) out.get(r.photo_id)?.push({ name: r.name, score: r.score });
    return out;
  }

  photosByTag(name: string, limit: number): PhotoScore[] {
    return (this.s.photosByTag.all(name, limit) as { photo_id: number; score: number }[]).map((r) => ({
      photoId: r.photo_id,
      score: r.score,
    }));
  }
}
