/**
 * Stacks as a person deals with them: the duplicates report (each kind apart, most space to free
 * first, the cover marked) and two decisions — "not the same picture" and "show this one as the
 * cover" — stored by content hash (store/stack-decisions.ts) so renames, moves, re-runs and model
 * switches keep them. A decision shows at once (the store's rows change now) and the stacks pass
 * then regroups under it. Nothing here deletes, moves or writes a photo.
 */
import path from 'node:path';
import { apiError, type DuplicateGroup, type DuplicatesReport, type StackKind } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import type { StackMemberRow } from '../store/stacks.ts';
import { coverOrder, duplicateGroups, type StackPhoto, type DuplicateGroup as Group } from './duplicates.ts';
import type { GroupSnapshot } from './grouper.ts';

const KINDS: readonly StackKind[] = ['exact', 'near', 'burst'];

const asPhoto = (r: Pick<StackMemberRow, 'photoId' | 'hash' | 'path' | 'width' | 'height' | 'sharpness' | 'size'>): StackPhoto => ({
  photoId: r.photoId,
  key: r.hash,
  path: r.path,
  width: r.width,
  height: r.height,
  sharpness: r.sharpness,
  bytes: r.size,
});

export class StacksService {
  constructor(
    private readonly lib: Library,
    /** A decision was stored: the stacks pass should run (the engine schedules it). */
    private readonly decided: () => void = () => undefined,
  ) {}

  /** One kind's groups, most space to free first, from `offset`; with every kind's totals. */
  duplicates(kind: StackKind, limit: number, offset = 0): DuplicatesReport {
    const all = this.report();
    const totals = Object.fromEntries(
      KINDS.map((k) => [k, { groups: all[k].length, photos: all[k].reduce((n, g) => n + g.size, 0), extraBytes: all[k].reduce((n, g) => n + g.extraBytes, 0) }]),
    ) as DuplicatesReport['totals'];
    return { groups: all[kind].slice(offset, offset + limit), totals };
  }

  /** "Not the same picture": the photo's content is separated from every other picture of its stack. */
  separate(photoId: number): { stackId: number; left: number } {
    const { row, stackId, members } = this.stackOf(photoId);
    const others = new Set(members.map((m) => m.hash).filter((h) => h !== row.hash));
    if (others.size === 0) throw apiError('stack-same-file', {}, 'these are byte-identical copies of one file: they are the same photo');
    this.lib.stackDecisions.separate(row.hash!, others);
    const left = this.lib.stacks.detach(stackId, row.hash!);
    this.decided();
    return { stackId, left };
  }

  /** The photo becomes its stack's cover: stored by content, and the stack's order follows now. */
  chooseCover(photoId: number): { stackId: number; coverId: number } {
    const { row, stackId, members } = this.stackOf(photoId);
    this.lib.stackDecisions.pickCover(row.hash!, [...new Set(members.map((m) => m.hash))]);
    const picks = this.lib.stackDecisions.coverPicks();
    const order = coverOrder(
      members.map((m) => ({ ...asPhoto(m), unit: m.unitId })),
      picks,
    );
    this.lib.stacks.setOrder(stackId, order.map((p) => p.photoId));
    return { stackId, coverId: order[0]!.photoId };
  }

  private stackOf(photoId: number): { row: { hash: string | null }; stackId: number; members: StackMemberRow[] } {
    const row = this.lib.photos.get(photoId);
    if (!row) throw apiError('photo-unknown', { id: String(photoId) }, `no photo with id ${photoId}`);
    const badge = this.lib.stacks.badges([photoId]).get(photoId);
    if (!badge || !row.hash) throw apiError('stack-none', { name: path.basename(row.path) }, `${path.basename(row.path)} is in no stack`);
    return { row, stackId: badge.id, members: this.lib.stacks.members(badge.id) };
  }

  /** Every group of every kind, most space to free first. */
  private report(): Record<StackKind, DuplicateGroup[]> {
    const picks = this.lib.stackDecisions.coverPicks();
    const rows = this.lib.stacks.allMembers();
    const byPath = new Map<string, { id: number; bytes: number; width: number; height: number }>();
    const remember = (r: { photoId: number; path: string; size: number; width: number; height: number }): void => {
      byPath.set(r.path, { id: r.photoId, bytes: r.size, width: r.width, height: r.height });
    };
    // Near groups are units of two or more contents (also inside a burst); bursts are stacks of that kind.
    const units = new Map<number, { stackId: number; keys: Set<string> }>();
    const bursts = new Map<number, Map<number, Set<string>>>();
    for (const r of rows) {
      remember(r);
      let u = units.get(r.unitId);
      if (!u) units.set(r.unitId, (u = { stackId: r.stackId, keys: new Set() }));
      u.keys.add(r.hash);
      if (r.kind === 'burst') {
        let frames = bursts.get(r.stackId);
        if (!frames) bursts.set(r.stackId, (frames = new Map()));
        let f = frames.get(r.unitId);
        if (!f) frames.set(r.unitId, (f = new Set()));
        f.add(r.hash);
      }
    }
    const snapshot: GroupSnapshot = {
      near: [...units].filter(([, u]) => u.keys.size > 1).map(([id, u]) => ({ id, keys: [...u.keys] })),
      bursts: [...bursts].map(([id, frames]) => ({ id, frames: [...frames.values()].map((f) => [...f]) })),
    };
    const photos = rows.map(asPhoto);
    const exactRows = this.lib.stacks.exactCopies();
    for (const r of exactRows) remember(r);
    const exactStack = new Map(exactRows.map((r) => [r.hash, r.stackId]));
    const view = (g: Group, stackId: number | null): DuplicateGroup => ({
      ...g,
      stackId,
      photos: g.paths.map((p) => {
        const f = byPath.get(p)!;
        return { id: f.id, path: p, fileName: path.basename(p), folder: path.dirname(p), bytes: f.bytes, width: f.width, height: f.height, cover: p === g.cover };
      }),
    });
    return {
      exact: duplicateGroups('exact', exactRows.map(asPhoto), snapshot, picks).map((g) => view(g, exactStack.get(g.id) ?? null)),
      near: duplicateGroups('near', photos, snapshot, picks).map((g) => view(g, units.get(Number(g.id))?.stackId ?? null)),
      burst: duplicateGroups('burst', photos, snapshot, picks).map((g) => view(g, Number(g.id))),
    };
  }
}
