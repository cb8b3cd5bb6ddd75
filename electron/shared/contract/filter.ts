/**
 * The one photo filter: every way a person can narrow what they see — a search, similar photos,
 * an album, a tag, browsing — is this object, validated by this schema, whatever carries it.
 * The engine turns it into what each reader needs in one place (engine/library/photo-filter.ts →
 * store/photo-filter.ts); nothing filters results after the fact, the renderer included.
 *
 * Adding a field: declare it here, translate it in store/photo-filter.ts, add its control to the
 * renderer's filter bar (docs/architecture.md, "Add a filter field").
 */
import { z } from 'zod';

/** The kinds of item the filter tells apart (see `kind` below). */
export const PHOTO_KINDS = ['photo', 'screenshot', 'video'] as const;
export type PhotoKind = (typeof PHOTO_KINDS)[number];

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'expected an ISO date like 2024-05-01');

export const photoFilterSchema = z
  .object({
    /** This folder and every folder below it (absolute path). */
    folder: z.string().min(1).max(4096).optional(),
    /** Taken on or after (a bare day: from its start). */
    after: isoDate.optional(),
    /** Taken on or before (a bare day: to its end). */
    before: isoDate.optional(),
    /** Carrying this tag (a taxonomy or custom tag name). */
    tag: z.string().min(1).max(200).optional(),
    /**
     * Stacks (copies and bursts): absent, each stack is shown once, as its cover; a stack id lists
     * that stack's photos (opening it); 'all' shows every photo of every stack.
     */
    stack: z.union([z.number().int().positive(), z.literal('all')]).optional(),
    /**
     * Taken within [from, to) (Unix ms) and, optionally, at these local hours ([from, to), from > to
     * crossing midnight), on these days of the week (ISO: 1 Monday … 7 Sunday) and on a month and
     * day of any year: what the search reads from 去年冬天, 晚上, 周末 or 那年今日. Both this and after/before hold when both are given (their
     * intersection).
     */
    taken: z
      .object({
        from: z.number().int().optional(),
        to: z.number().int().optional(),
        hours: z.object({ from: z.number().int().min(0).max(23), to: z.number().int().min(1).max(24) }).strict().optional(),
        weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional(),
        /** Taken on this month and day, any year (那年今日). */
        monthDay: z.object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) }).strict().optional(),
      })
      .strict()
      .optional(),
    /** Taken at one of these places (gazetteer ids: CN-230100 哈尔滨, JP-13 東京都), at any level: a city finds its districts' photos. */
    place: z.array(z.string().min(2).max(40)).min(1).max(200).optional(),
    /**
     * What the item is: 'video' (docs/decisions/video.md), 'screenshot' (a photo without camera
     * EXIF with a screenshot name or a screen's size: docs/decisions/when-where.md) or 'photo'
     * (any other photo). One enum the video and the time-and-place work share (PHOTO_KINDS).
     */
    kind: z.enum(PHOTO_KINDS).optional(),
    /** Taken with this camera: EXIF Make one of `makes` (any case), Model containing `model`. */
    camera: z
      .object({ makes: z.array(z.string().min(1).max(100)).min(1).max(20), model: z.string().min(1).max(100).optional() })
      .strict()
      .optional(),
  })
  .strict();

export type PhotoFilter = z.infer<typeof photoFilterSchema>;

/** The filter as requests carry it: optional, an empty filter when absent. */
export const requestFilter = photoFilterSchema.default({});

/** True when the filter narrows nothing. */
export function isEmptyFilter(f: PhotoFilter | undefined): boolean {
  return !f || Object.values(f).every((v) => v === undefined);
}
