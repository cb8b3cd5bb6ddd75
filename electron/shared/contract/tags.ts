/** The tags service: the taxonomy with counts, albums, custom tags. Photos by tag: library.browse with filter.tag. */
import { z } from 'zod';
import { MAX_TAG_NAME_LENGTH } from './limits.ts';

export interface TagInfo {
  name: string;
  nameEn: string | null;
  /** The family's id (`colour`, `scene`, …; `custom` for a tag the person added). */
  family: string;
  /** The family as people read it (主色调 / Colours); null for a custom tag. */
  familyName: { zh: string; en: string } | null;
  custom: boolean;
  photoCount: number;
}

export interface AlbumSummary {
  folder: string;
  photoCount: number;
  title: string;
  tags: { name: string; weight: number }[];
  /**
   * The photo on the album's card (its thumbnail): the one with the most of the album's dominant
   * tags, the newest among equals; null for an album with no photo to show.
   */
  cover: number | null;
}

export const tagsRequests = {
  listTags: z.object({}).strict(),
  albums: z.object({}).strict(),
  addCustomTag: z.object({ name: z.string().trim().min(1).max(MAX_TAG_NAME_LENGTH) }).strict(),
  removeTag: z.object({ name: z.string().min(1).max(200) }).strict(),
} as const;

export interface TagsResponses {
  listTags: TagInfo[];
  albums: AlbumSummary[];
  addCustomTag: TagInfo;
  removeTag: { removed: boolean };
}
