/**
 * Albums: each folder of photos summarised by its dominant tags, a title ("海边 · 日落 ·
 * 2023年夏") and a cover photo, from the tags the tagging pass stored. Read side only.
 */
import path from 'node:path';
import type { AlbumSummary } from '../../shared/api.ts';
import { dirOf, subtreeRange } from '../store/paths.ts';
import { summariseAlbum, type AlbumPhoto, type AlbumSummaryOptions } from './albums.ts';
import type { TagStore } from './types.ts';

const GET_MANY_CHUNK = 2000;
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export class AlbumView {
  constructor(
    private readonly store: TagStore,
    /** Family of each taxonomy tag by name; anything else is a custom tag. */
    private readonly familyByName: ReadonlyMap<string, string>,
    private readonly customFamily: string,
    private readonly options?: AlbumSummaryOptions & { minPhotos?: number },
  ) {}

  /** Dominant tags and a title for the photos in `folder` and below. */
  summary(folder: string): AlbumSummary {
    const abs = path.resolve(folder);
    return this.summarise(abs, this.photosUnder(abs));
  }

  /** One summary per directory that holds at least `minPhotos` photos directly. */
  list(minPhotos = this.options?.minPhotos ?? 3): AlbumSummary[] {
    const byDir = new Map<string, number[]>();
    for (const root of this.store.folders.list()) {
      for (const e of this.store.photos.listPathsUnder(root.id)) {
        const d = dirOf(e.path);
        const list = byDir.get(d);
        if (list) list.push(e.id);
        else byDir.set(d, [e.id]);
      }
    }
    const out: AlbumSummary[] = [];
    for (const [dir, ids] of [...byDir].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const photos = this.albumPhotos(ids);
      if (photos.length >= minPhotos) out.push(this.summarise(dir.length > 1 ? dir.slice(0, -1) : dir, photos));
    }
    return out;
  }

  private photosUnder(abs: string): AlbumPhoto[] {
    const { lo, hi } = subtreeRange(abs);
    const rootLo = (p: string): string => subtreeRange(p).lo;
    const ids: number[] = [];
    for (const root of this.store.folders.list()) {
      // The folder may be a watched root, lie inside one, or contain several.
      const overlaps = lo.startsWith(rootLo(root.path)) || rootLo(root.path).startsWith(lo);
      if (!overlaps) continue;
      for (const e of this.store.photos.listPathsUnder(root.id)) {
        const d = dirOf(e.path);
        if (d >= lo && d < hi) ids.push(e.id);
      }
    }
    return this.albumPhotos(ids);
  }

  private albumPhotos(ids: number[]): AlbumPhoto[] {
    const out: AlbumPhoto[] = [];
    for (let i = 0; i < ids.length; i += GET_MANY_CHUNK) {
      const chunk = ids.slice(i, i + GET_MANY_CHUNK);
      const tagsOf = this.store.tags.photoTagsMany(chunk);
      for (const row of this.store.photos.getMany(chunk)) {
        if (row.status === 'skipped') continue;
        const tags = (tagsOf.get(row.id) ?? []).map((t) => ({ ...t, family: this.familyByName.get(t.name) ?? this.customFamily }));
        out.push({ id: row.id, tags, takenAt: row.takenAt });
      }
    }
    return out;
  }

  private summarise(folder: string, photos: AlbumPhoto[]): AlbumSummary {
    const s = summariseAlbum(photos, { ...this.options, fallbackTitle: path.basename(folder) || folder });
    return { folder, photoCount: s.photoCount, title: s.title, tags: s.tags.map((t) => ({ name: t.name, weight: round4(t.weight) })), cover: s.cover };
  }
}
