/**
 * What tagging needs from the rest of the engine, as interfaces: the text tower (ml/ owns it) and
 * the vectors and tag tables (store/ owns them). Tests pass fakes that satisfy the same shapes.
 */
import type { TagRow } from '../store/rows.ts';
export type { TextEmbedder } from '../ml/model-runtime.ts';

/** One streamed page of stored image vectors: ids[i] owns vectors[i*dim .. (i+1)*dim). */
export interface VectorBatch {
  ids: Int32Array;
  vectors: Float32Array;
}

export type VectorSource = () => Iterable<VectorBatch> | AsyncIterable<VectorBatch>;

/** A tag as tagging sees it: taxonomy tags and custom tags alike. */
export interface TagRef {
  /** Stable key: the taxonomy id, or `custom:<name>` for a tag a person added. */
  key: string;
  name: string;
  family: string;
  custom: boolean;
}

export interface ScoredTag {
  /** Index into the tag list that was scored. */
  tag: number;
  /** Softmax probability against the taxonomy: what is stored and shown as the score. */
  probability: number;
  cosine: number;
}

// ---------- the store, as tagging uses it ----------
// Structural subsets of the store's repositories (electron/engine/store/), so tagging compiles
// against what it calls and tests can pass fakes; the real Library satisfies them as is.

export type TagRowLike = Omit<TagRow, 'createdAt'>;

export interface TagRepo {
  upsertTag(tag: { name: string; nameEn?: string | null; family?: string | null; synonyms?: readonly string[]; custom?: boolean }): number;
  getTag(name: string): TagRowLike | undefined;
  listTags(): (TagRowLike & { photoCount: number })[];
  removeTag(name: string): boolean;
  getTagVector(modelKey: string, tagId: number, fingerprint: string): Float32Array | undefined;
  setTagVector(modelKey: string, tagId: number, fingerprint: string, vector: Float32Array): void;
  replacePhotoTagsMany(entries: Iterable<{ photoId: number; tags: readonly { tagId: number; score: number }[] }>): void;
  replaceTagAssignments(tagId: number, assignments: readonly { photoId: number; score: number }[]): void;
  photoTags(photoId: number): { name: string; score: number }[];
  photoTagsMany(photoIds: readonly number[]): Map<number, { name: string; score: number }[]>;
  photosByTag(name: string, limit: number): { photoId: number; score: number }[];
}

export interface PhotoRepo {
  getMany(ids: readonly number[]): { id: number; path: string; width: number | null; height: number | null; takenAt: number | null; status: string }[];
  listPathsUnder(folderId: number): { id: number; path: string }[];
}

export interface FolderRepo {
  list(): { id: number; path: string }[];
}

export interface VectorRepo {
  readonly dim: number;
  iterate(batchSize?: number): Iterable<VectorBatch>;
  get(photoId: number): Float32Array | undefined;
}

/** Which photos the tags pass has tagged (store/pass-state.ts). */
export interface TagPassState {
  mark(pass: string, version: string, photoIds: Iterable<number>): void;
  owed(pass: string, version: string, limit: number, afterId?: number): { id: number }[];
}

export interface TagStore {
  tags: TagRepo;
  passState: TagPassState;
  photos: PhotoRepo;
  folders: FolderRepo;
  transaction<T>(fn: () => T): T;
}
