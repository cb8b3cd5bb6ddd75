/**
 * The grouping's changes → the stacks a person sees (store/stacks.ts). A stack is a burst (its
 * frames with their copies), a near-duplicate group (not in a burst), or a picture held by two or
 * more photos (byte-identical copies); its photos are written in the cover rule's order, so the
 * cover is rank 0 and, under a filter that leaves it out, the next one stands in.
 */
import type { Library } from '../store/library.ts';
import type { StackPhotoFacts } from '../store/picture-facts.ts';
import type { StackKind, StoredStack } from '../store/stacks.ts';
import { coverOrder, type StackPhoto } from './duplicates.ts';
import type { ShownGroup, StackGrouper } from './grouper.ts';

/** Groups written per store call: bounds the photo rows read at once. */
const CHUNK = 512;

export interface WriteSummary {
  written: number;
  removed: number;
}

function kindOf(g: ShownGroup): StackKind {
  if (g.kind === 'burst') return 'burst';
  return g.units[0]!.keys.length > 1 ? 'near' : 'exact';
}

export function stackPhoto(f: StackPhotoFacts): StackPhoto {
  return { photoId: f.id, key: f.hash, path: f.path, width: f.width, height: f.height, sharpness: f.facts?.sharpness ?? 0, bytes: f.size };
}

/**
 * Rewrites the stacks that the ids (units or bursts, as StackGrouper.takeChanges() lists them)
 * belong to now, and deletes those that no longer exist or hold fewer than two photos.
 */
export function writeStacks(lib: Library, grouper: StackGrouper, ids: Iterable<number>): WriteSummary {
  const shown = new Map<number, ShownGroup>();
  const removed = new Set<number>();
  for (const id of ids) {
    removed.add(id);
    const g = grouper.shownGroup(id);
    if (g) shown.set(g.id, g);
  }
  // A unit that joined a burst was shown as its own stack until now: that row goes too.
  for (const g of shown.values()) for (const u of g.units) removed.add(u.id);
  const picks = lib.stackDecisions.coverPicks();
  const groups = [...shown.values()];
  let written = 0;
  lib.transaction(() => {
    lib.stacks.replace(removed, []);
    for (let i = 0; i < groups.length; i += CHUNK) {
      const stacks = toStore(lib, groups.slice(i, i + CHUNK), picks);
      lib.stacks.replace([], stacks);
      written += stacks.length;
    }
  });
  return { written, removed: [...removed].filter((id) => !shown.has(id)).length };
}

/** Groups with the photos holding their pictures, in cover order; fewer than two photos: no stack. */
function toStore(lib: Library, groups: readonly ShownGroup[], picks: ReadonlySet<string>): StoredStack[] {
  const keys = groups.flatMap((g) => g.units.flatMap((u) => u.keys));
  const byKey = new Map<string, StackPhotoFacts[]>();
  for (const f of lib.pictureFacts.holding(keys)) {
    const list = byKey.get(f.hash);
    if (list) list.push(f);
    else byKey.set(f.hash, [f]);
  }
  const stacks: StoredStack[] = [];
  for (const g of groups) {
    const unitOf = new Map<number, number>();
    const photos: StackPhoto[] = [];
    for (const u of g.units) {
      for (const k of u.keys) {
        for (const f of byKey.get(k) ?? []) {
          unitOf.set(f.id, u.id);
          photos.push(stackPhoto(f));
        }
      }
    }
    if (photos.length < 2) continue;
    stacks.push({ id: g.id, kind: kindOf(g), photos: coverOrder(photos, picks).map((p) => ({ photoId: p.photoId, unitId: unitOf.get(p.photoId)! })) });
  }
  return stacks;
}
