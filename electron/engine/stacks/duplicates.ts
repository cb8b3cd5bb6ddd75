/**
 * What a person sees of the groups: each stack's cover (the photo shown for it) and the
 * duplicates report — groups with their photos, sizes and the space the extra copies take — that
 * `duplicates [--kind exact|near|burst] [--json]` prints and the duplicates view shows.
 * The app never deletes anything: the report only says what could go.
 */
import type { DuplicateGroup as ReportedGroup } from '../../shared/api.ts';
import type { GroupSnapshot } from './grouper.ts';
import { isCopyNameOf } from './copy-names.ts';

export interface StackPhoto {
  photoId: number;
  /** Content hash. */
  key: string;
  path: string;
  width: number;
  height: number;
  /** Laplacian variance (media/fingerprint.ts); 0 when unknown. */
  sharpness: number;
  /** File size in bytes. */
  bytes: number;
  /**
   * Which picture this is a copy of: photos sharing it are copies of one shot (a near-duplicate
   * group, or byte-identical copies); by default each content is its own picture.
   */
  unit?: number | string;
}

/**
 * The cover: the one the person picked (a content hash), else by the order below
 * (coverOrder), whose first photo it is.
 */
export function coverOf(photos: readonly StackPhoto[], picked: ReadonlySet<string> = new Set()): StackPhoto {
  if (photos.length === 0) throw new RangeError('a stack has at least one photo');
  return coverOrder(photos, picked)[0]!;
}

/**
 * Every photo of a stack in the cover rule's order: the cover first, then the one that stands in
 * for it when a filter leaves the cover out, and so on (stored as stack_photos.rank). The order:
 * the person's pick, the highest resolution, the sharpest, the largest file, the original's name
 * before a copy's (copy-names.ts), the lowest photo id —
 * between the shots of a stack (a burst's frames), each represented by its best copy, and then
 * between the copies of each shot, so the copies of the best shot stand in before another frame.
 */
export function coverOrder(photos: readonly StackPhoto[], picked: ReadonlySet<string> = new Set()): StackPhoto[] {
  const units = new Map<number | string, StackPhoto[]>();
  for (const p of photos) {
    const u = p.unit ?? p.key;
    const list = units.get(u);
    if (list) list.push(p);
    else units.set(u, [p]);
  }
  const byCover = (a: StackPhoto, b: StackPhoto): number => (a === b ? 0 : better(a, b, picked) ? -1 : 1);
  const shots = [...units.values()].map((copies) => copies.sort(byCover));
  shots.sort((a, b) => byCover(a[0]!, b[0]!));
  return shots.flat();
}

function better(a: StackPhoto, b: StackPhoto, picked: ReadonlySet<string>): boolean {
  const pa = picked.has(a.key);
  const pb = picked.has(b.key);
  if (pa !== pb) return pa;
  const ra = a.width * a.height;
  const rb = b.width * b.height;
  if (ra !== rb) return ra > rb;
  if (a.sharpness !== b.sharpness) return a.sharpness > b.sharpness;
  if (a.bytes !== b.bytes) return a.bytes > b.bytes;
  // Alike in every measure: the original's name before the copy's ("x (1).jpg" sorts first).
  if (isCopyNameOf(b.path, a.path)) return true;
  if (isCopyNameOf(a.path, b.path)) return false;
  return a.photoId < b.photoId;
}

/** A group as the duplicates report lists it, before the service adds its stack and its photos' details. */
export type DuplicateGroup = Omit<ReportedGroup, 'stackId' | 'photos'>;

function group(kind: DuplicateGroup['kind'], id: string, photos: StackPhoto[], picked: ReadonlySet<string>, frames?: number): DuplicateGroup {
  const cover = coverOf(photos, picked);
  const others = photos.filter((p) => p !== cover).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const bytes = photos.reduce((s, p) => s + p.bytes, 0);
  return {
    kind,
    id,
    size: photos.length,
    paths: [cover.path, ...others.map((p) => p.path)],
    cover: cover.path,
    bytes,
    extraBytes: bytes - cover.bytes,
    ...(frames !== undefined && { frames }),
  };
}

/**
 * The report for one kind, largest reclaimable space first. Exact groups are the photos sharing a
 * content hash (anywhere, inside a near group or burst or not); near groups and bursts come from
 * the grouping.
 */
export function duplicateGroups(
  kind: DuplicateGroup['kind'],
  photos: readonly StackPhoto[],
  groups: GroupSnapshot,
  picked: ReadonlySet<string> = new Set(),
): DuplicateGroup[] {
  const byKey = new Map<string, StackPhoto[]>();
  for (const p of photos) {
    const list = byKey.get(p.key);
    if (list) list.push(p);
    else byKey.set(p.key, [p]);
  }
  const photosOf = (keys: readonly string[]): StackPhoto[] => keys.flatMap((k) => byKey.get(k) ?? []);
  let out: DuplicateGroup[];
  if (kind === 'exact') {
    out = [...byKey].filter(([, ps]) => ps.length > 1).map(([key, ps]) => group('exact', key, ps, picked));
  } else if (kind === 'near') {
    out = groups.near.map((g) => group('near', String(g.id), photosOf(g.keys).map((p) => ({ ...p, unit: g.id })), picked)).filter((g) => g.size > 1);
  } else {
    out = groups.bursts
      .map((b) => group('burst', String(b.id), b.frames.flatMap((f, i) => photosOf(f).map((p) => ({ ...p, unit: i }))), picked, b.frames.length))
      .filter((g) => g.size > 1);
  }
  return out.sort((a, b) => b.extraBytes - a.extraBytes || (a.id < b.id ? -1 : 1));
}
