/**
 * Loading the grouping for the stacks pass: every indexed photo's facts → one picture per content
 * (pictureOf), then either the stored groups taken back as they were (same model and thresholds:
 * `restore`, no comparison at all) or a grouping from scratch in capture order (another model,
 * other thresholds, or none stored yet), in slices that let the event loop and the indexer in.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Library } from '../store/library.ts';
import type { StackPhotoFacts } from '../store/picture-facts.ts';
import { captureOrder, StackGrouper, type GroupSnapshot } from './grouper.ts';
import { pictureOf } from './picture.ts';
import type { StackThresholds } from './relations.ts';
import { SeparationSet } from './relations.ts';
import type { HeldPicture, VectorCache } from './vector-cache.ts';

/** Photos read per store page while loading. */
const PAGE = 5000;
/** Pictures inserted between two yields while grouping from scratch (a few ms of work). */
const SLICE = 500;

export interface LoadedGrouping {
  grouper: StackGrouper;
  seps: SeparationSet;
  /** The latest decision taken into account (stack-decisions.ts latestSeparation). */
  decisionsAt: number;
  /** Photos whose facts the grouping holds (marked done after a grouping from scratch). */
  photoIds: number[];
  /** Contents held by two or more photos (exact copies: stacks even when alone in the grouping). */
  multi: Set<string>;
}

const cameras = new Map<string, string>();
/** One string per camera, not one per photo (a million pictures, a few dozen cameras). */
function intern(s: string | null): string | null {
  if (s === null) return null;
  let v = cameras.get(s);
  if (v === undefined) cameras.set(s, (v = s));
  return v;
}

/** The grouping's picture of an indexed photo whose facts are known (null when they are not). */
export function heldPicture(f: StackPhotoFacts, vector: Float32Array | null = null): HeldPicture | null {
  if (!f.facts) return null;
  const p = pictureOf({
    hash: f.hash,
    path: f.path,
    phash: f.facts.phash,
    vector,
    takenAt: f.takenAt,
    takenAtSource: f.takenAtSource,
    cameraMake: f.cameraMake,
    cameraModel: f.cameraModel,
    subSecMs: f.facts.subSecMs,
    imageUniqueId: f.facts.uniqueId,
    burstId: f.facts.burstId,
  });
  p.camera = intern(p.camera);
  return Object.assign(p, { photoId: f.id });
}

/** Every indexed photo with known facts, one picture per content. */
async function loadPictures(lib: Library, signal: AbortSignal): Promise<{ pictures: HeldPicture[]; photoIds: number[]; multi: Set<string> }> {
  const byKey = new Map<string, HeldPicture>();
  const multi = new Set<string>();
  const photoIds: number[] = [];
  for (let after = 0; ; ) {
    const page = lib.pictureFacts.page(after, PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1]!.id;
    for (const f of page) {
      if (!f.facts) continue;
      photoIds.push(f.id);
      if (byKey.has(f.hash)) multi.add(f.hash);
      else byKey.set(f.hash, heldPicture(f)!);
    }
    await nextTurn();
    if (signal.aborted) throw new Error('stopped');
  }
  return { pictures: [...byKey.values()], photoIds, multi };
}

/** The stored stacks as the grouping's snapshot: every unit with its stored id, bursts by their frames' units. */
function storedSnapshot(lib: Library): GroupSnapshot {
  const units = new Map<number, Set<string>>();
  const bursts = new Map<number, Set<number>>();
  for (const r of lib.stacks.grouping()) {
    let keys = units.get(r.unitId);
    if (!keys) units.set(r.unitId, (keys = new Set()));
    keys.add(r.hash);
    if (r.kind === 'burst') {
      let frames = bursts.get(r.stackId);
      if (!frames) bursts.set(r.stackId, (frames = new Set()));
      frames.add(r.unitId);
    }
  }
  return {
    near: [...units].map(([id, keys]) => ({ id, keys: [...keys] })),
    bursts: [...bursts].map(([id, frames]) => ({ id, frames: [...frames].map((u) => [...units.get(u)!]) })),
  };
}

/**
 * The grouping for this model and these thresholds: the stored one when it was built with them
 * (`fromScratch` false), else grouped again from every picture (the caller writes it all).
 */
export async function loadGrouping(
  lib: Library,
  t: StackThresholds,
  cache: VectorCache,
  o: { fromScratch: boolean; signal: AbortSignal; yieldTo: () => Promise<void> },
): Promise<LoadedGrouping> {
  const decisionsAt = lib.stackDecisions.latestSeparation();
  const seps = new SeparationSet(lib.stackDecisions.separations());
  const grouper = new StackGrouper(t, seps, cache.vectorOf);
  const { pictures, photoIds, multi } = await loadPictures(lib, o.signal);
  if (!o.fromScratch) {
    grouper.restore(pictures, storedSnapshot(lib));
    return { grouper, seps, decisionsAt, photoIds, multi };
  }
  pictures.sort(captureOrder);
  for (let i = 0; i < pictures.length; i += SLICE) {
    for (const p of pictures.slice(i, i + SLICE)) grouper.insert(p);
    await nextTurn();
    if (o.signal.aborted) throw new Error('stopped');
    await o.yieldTo();
  }
  return { grouper, seps, decisionsAt, photoIds, multi };
}
