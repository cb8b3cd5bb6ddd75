/**
 * The stacks service: the duplicates report (exact copies, near-duplicates, bursts: sizes, the
 * space the extra copies take, the cover marked) and the person's decisions about a stack — "this
 * one is not the same" and "show this one as the cover". Lists show a stack once with
 * `stack: { id, size, kind, coverId }` on the hit (common.ts); `filter.stack = id` lists its photos.
 * The app never deletes, moves or writes a photo: the report says what could go.
 */
import { z } from 'zod';
import { photoId, type StackKind } from './common.ts';

export interface DuplicatePhoto {
  id: number;
  path: string;
  fileName: string;
  folder: string;
  /** File size in bytes. */
  bytes: number;
  width: number;
  height: number;
  /** The photo shown for the group (kept if the others go). */
  cover: boolean;
}

export interface DuplicateGroup {
  kind: StackKind;
  /** exact: the content hash; near: the near group; burst: the stack id. */
  id: string;
  /** The stack it is shown as (null when its copies are not stacked yet). */
  stackId: number | null;
  /** Photos in the group. */
  size: number;
  /** The cover's path, then the others by path (as `duplicates --json` prints them). */
  paths: string[];
  cover: string;
  /** All the group's files, and all but the cover's (what removing the others frees). */
  bytes: number;
  extraBytes: number;
  /** Burst: distinct shots (a shot with copies counts once). */
  frames?: number;
  photos: DuplicatePhoto[];
}

export interface DuplicatesTotals {
  groups: number;
  photos: number;
  extraBytes: number;
}

export interface DuplicatesReport {
  /** This page of groups, most space to free first. */
  groups: DuplicateGroup[];
  /** Every group of each kind (the view's tabs). */
  totals: Record<StackKind, DuplicatesTotals>;
}

export const stackKind = z.enum(['exact', 'near', 'burst']);

export const stacksRequests = {
  /** Groups of one kind, most space to free first, a page at a time. */
  duplicates: z
    .object({ kind: stackKind.default('exact'), limit: z.number().int().min(1).max(1000).default(100), offset: z.number().int().min(0).default(0) })
    .strict(),
  /** "Not the same picture": the photo (and its byte-identical copies) leaves its stack, and stays out. */
  separate: z.object({ photoId }).strict(),
  /** The photo becomes its stack's cover (kept across runs, renames and model switches). */
  chooseCover: z.object({ photoId }).strict(),
} as const;

export interface StacksResponses {
  duplicates: DuplicatesReport;
  /** The stack's photos left (0: it is no stack any more). */
  separate: { stackId: number; left: number };
  chooseCover: { stackId: number; coverId: number };
}
