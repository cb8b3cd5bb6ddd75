/**
 * Incremental grouping of pictures (content hashes) into near-duplicate groups and bursts, such
 * that different pictures can never be chained together:
 *
 * - A near group is a clique: every two members are near-related (complete linkage). A new
 *   picture is compared only with the pictures whose hash is within the threshold (HashIndex),
 *   and joins the closest group all of whose members it is related to.
 * - A burst is a set of units — a near group, or a picture with no copies — every two of which are
 *   burst-similar (complete linkage over all their members), each taken within the window of
 *   another by the same camera (or sharing a burst key). Candidates come from the time window
 *   (TimeIndex) and the burst key, never from all pictures.
 * - Both are capped (thresholds.nearCap / burstCap), which bounds every check.
 *
 * Exact copies need no grouping: photos with the same content hash are one picture here.
 * Removing a picture keeps every group a clique. Insertion order matters at the margins; from
 * scratch, pictures go in capture-time order (`insertAll`).
 */
import { HashIndex } from './hash-index.ts';
import { hammingDistance } from './phash.ts';
import { TimeIndex } from './time-index.ts';
import {
  DEFAULT_THRESHOLDS,
  NO_SEPARATIONS,
  OWN_VECTOR,
  burstCosine,
  nearRelated,
  sameMoment,
  type Picture,
  type Separations,
  type StackThresholds,
  type VectorOf,
} from './relations.ts';

interface Unit {
  id: number;
  members: string[];
  burst: Burst | null;
}

interface Burst {
  id: number;
  units: Set<Unit>;
}

export interface StackRef {
  kind: 'near' | 'burst';
  id: number;
}

/** A stack as shown: a burst (its frames), or one unit (a near group, or a picture alone). */
export interface ShownGroup {
  id: number;
  kind: 'burst' | 'unit';
  /** Each unit with its pictures; a burst's frames in no particular order. */
  units: { id: number; keys: string[] }[];
}

export interface GroupSnapshot {
  near: { id: number; keys: string[] }[];
  /** Each burst's frames; a frame with copies lists them all (its near group). */
  bursts: { id: number; frames: string[][] }[];
}

/** Capture order (pictures without an EXIF time last, then by key): how a grouping from scratch inserts. */
export function captureOrder(a: Picture, b: Picture): number {
  return (a.takenAt ?? Infinity) - (b.takenAt ?? Infinity) || (a.key < b.key ? -1 : 1);
}

export class StackGrouper {
  private readonly pictures = new Map<string, Picture>();
  private readonly unitOf = new Map<string, Unit>();
  private readonly hashes = new HashIndex<string>();
  private readonly times = new TimeIndex<string>();
  private readonly byBurstKey = new Map<string, Set<string>>();
  private readonly unitsById = new Map<number, Unit>();
  private readonly burstsById = new Map<number, Burst>();
  private nextId = 1;
  /** Stack ids whose membership changed since the last takeChanges(). */
  private readonly dirty = new Set<number>();

  constructor(
    private readonly t: StackThresholds = DEFAULT_THRESHOLDS,
    private readonly seps: Separations = NO_SEPARATIONS,
    /** Where a picture's vector comes from (default: Picture.vector). */
    private readonly vec: VectorOf = OWN_VECTOR,
  ) {}

  get size(): number {
    return this.pictures.size;
  }

  has(key: string): boolean {
    return this.pictures.has(key);
  }

  /** From scratch: in capture order (pictures without an EXIF time last), so bursts form in sequence. */
  insertAll(pictures: Iterable<Picture>): void {
    const list = [...pictures].sort(captureOrder);
    for (const p of list) this.insert(p);
  }

  /**
   * Takes back the groups a previous run stored (same ids), without checking them again, so a
   * restart neither renumbers stacks nor regroups at the margins. Pictures in no stored group
   * start alone; call only on an empty grouper.
   */
  restore(pictures: Iterable<Picture>, groups: GroupSnapshot): void {
    if (this.pictures.size > 0) throw new Error('restore() needs an empty grouper');
    for (const p of pictures) this.index(p);
    const unitFor = (keys: string[], id: number): Unit | null => {
      const members = keys.filter((k) => this.pictures.has(k) && !this.unitOf.has(k));
      if (members.length === 0) return null;
      const unit: Unit = { id, members, burst: null };
      for (const k of members) this.unitOf.set(k, unit);
      this.unitsById.set(id, unit);
      this.nextId = Math.max(this.nextId, id + 1);
      return unit;
    };
    for (const n of groups.near) unitFor(n.keys, n.id);
    for (const b of groups.bursts) {
      const burst: Burst = { id: b.id, units: new Set() };
      this.burstsById.set(b.id, burst);
      this.nextId = Math.max(this.nextId, b.id + 1);
      for (const frame of b.frames) {
        const unit = this.unitOf.get(frame.find((k) => this.unitOf.has(k)) ?? '') ?? unitFor(frame, this.nextId);
        if (unit && !unit.burst) {
          unit.burst = burst;
          burst.units.add(unit);
        }
      }
      if (burst.units.size < 2) {
        for (const u of burst.units) u.burst = null;
        this.burstsById.delete(b.id);
      }
    }
    for (const key of this.pictures.keys()) if (!this.unitOf.has(key)) this.newUnit(key);
    // What was stored is what is shown: nothing to write back.
    this.dirty.clear();
  }

  /** Adds a picture (or replaces what was known about it) and places it in its groups. */
  insert(p: Picture): StackRef | null {
    if (this.pictures.has(p.key)) this.remove(p.key);
    this.index(p);
    const unit = this.joinNear(p) ?? this.newUnit(p.key);
    if (!unit.burst) this.joinBurst(unit);
    return this.stackOf(p.key);
  }

  /** Forgets a picture (no photo holds its content any more). */
  remove(key: string): void {
    const p = this.pictures.get(key);
    if (!p) return;
    this.pictures.delete(key);
    this.hashes.remove(key);
    if (p.takenAt !== null) this.times.remove(key, p.takenAt);
    if (p.burstKey !== null) this.byBurstKey.get(p.burstKey)?.delete(key);
    const unit = this.unitOf.get(key)!;
    this.unitOf.delete(key);
    unit.members.splice(unit.members.indexOf(key), 1);
    this.touch(unit);
    if (unit.members.length > 0) return;
    this.unitsById.delete(unit.id);
    if (!unit.burst) return;
    const burst = unit.burst;
    burst.units.delete(unit);
    if (burst.units.size < 2) {
      // The burst dissolves: what is left of it is shown on its own again.
      for (const u of burst.units) {
        u.burst = null;
        this.dirty.add(u.id);
      }
      burst.units.clear();
      this.burstsById.delete(burst.id);
    }
  }

  /** The group a picture is shown in: its burst, else its near group, else none. */
  stackOf(key: string): StackRef | null {
    const unit = this.unitOf.get(key);
    if (!unit) return null;
    if (unit.burst) return { kind: 'burst', id: unit.burst.id };
    return unit.members.length > 1 ? { kind: 'near', id: unit.id } : null;
  }

  /** The id of the unit (near group, or the picture alone) a picture is in. */
  unitIdOf(key: string): number | null {
    return this.unitOf.get(key)?.id ?? null;
  }

  /**
   * The stack an id (of a unit or a burst, as takeChanges() lists them) belongs to now: its burst
   * if it is in one, else the unit itself; null when nothing has that id any more.
   */
  shownGroup(id: number): ShownGroup | null {
    const unit = this.unitsById.get(id);
    const burst = unit ? unit.burst : (this.burstsById.get(id) ?? null);
    if (burst) return { id: burst.id, kind: 'burst', units: [...burst.units].map((u) => ({ id: u.id, keys: [...u.members] })) };
    return unit ? { id: unit.id, kind: 'unit', units: [{ id: unit.id, keys: [...unit.members] }] } : null;
  }

  /** The near group of a picture (also when that group is one frame of a burst). */
  nearGroupOf(key: string): string[] | null {
    const unit = this.unitOf.get(key);
    return unit && unit.members.length > 1 ? [...unit.members] : null;
  }

  /** Every near group and burst (groups of one are not stacks). */
  snapshot(): GroupSnapshot {
    const units = new Set(this.unitOf.values());
    const bursts = new Set<Burst>();
    const near: GroupSnapshot['near'] = [];
    for (const u of units) {
      if (u.members.length > 1) near.push({ id: u.id, keys: [...u.members] });
      if (u.burst) bursts.add(u.burst);
    }
    return {
      near,
      bursts: [...bursts].map((b) => ({ id: b.id, frames: [...b.units].map((u) => [...u.members]) })),
    };
  }

  /** Ids of the stacks whose members changed since the last call (to persist them). */
  takeChanges(): number[] {
    const out = [...this.dirty];
    this.dirty.clear();
    return out;
  }

  /**
   * After the person separated pictures (the Separations now say so): takes every member of the
   * stacks the given pictures are in out, and puts them back in capture order, so the groups are
   * rebuilt under the new decisions. Returns the pictures that were regrouped.
   */
  regroup(keys: string[]): string[] {
    const affected = new Set<string>();
    for (const key of keys) {
      const unit = this.unitOf.get(key);
      if (!unit) continue;
      const units = unit.burst ? [...unit.burst.units] : [unit];
      for (const u of units) for (const m of u.members) affected.add(m);
    }
    const pictures = [...affected].map((k) => this.pictures.get(k)!);
    for (const p of pictures) this.remove(p.key);
    this.insertAll(pictures);
    return [...affected];
  }

  private index(p: Picture): void {
    this.pictures.set(p.key, p);
    if (p.phash) this.hashes.add(p.key, p.phash);
    if (p.takenAt !== null) this.times.add(p.key, p.takenAt);
    if (p.burstKey !== null) {
      let set = this.byBurstKey.get(p.burstKey);
      if (!set) this.byBurstKey.set(p.burstKey, (set = new Set()));
      set.add(p.key);
    }
  }

  private newUnit(key: string): Unit {
    const unit: Unit = { id: this.nextId++, members: [key], burst: null };
    this.unitOf.set(key, unit);
    this.unitsById.set(unit.id, unit);
    this.dirty.add(unit.id);
    return unit;
  }

  private touch(unit: Unit): void {
    this.dirty.add(unit.id);
    if (unit.burst) this.dirty.add(unit.burst.id);
  }

  /** Joins the closest near group (or lone picture) that p is near-related to as a whole. */
  private joinNear(p: Picture): Unit | null {
    if (!p.phash || !this.vec(p)) return null;
    const tried = new Set<Unit>();
    let best: Unit | null = null;
    let bestScore = Infinity;
    for (const { key } of this.hashes.within(p.phash, this.t.nearHashDistance)) {
      const unit = this.unitOf.get(key);
      if (key === p.key || !unit || tried.has(unit)) continue;
      tried.add(unit);
      if (unit.members.length >= this.t.nearCap) continue;
      let worst = 0;
      for (const m of unit.members) {
        const q = this.pictures.get(m)!;
        if (!nearRelated(p, q, this.t, this.seps, this.vec)) {
          worst = Infinity;
          break;
        }
        worst = Math.max(worst, hammingDistance(p.phash, q.phash!));
      }
      if (worst < bestScore || (worst === bestScore && best && unit.id < best.id)) {
        best = unit;
        bestScore = worst;
      }
    }
    if (!best || bestScore === Infinity) return null;
    best.members.push(p.key);
    this.unitOf.set(p.key, best);
    this.touch(best);
    return best;
  }

  /** Units taken in the same moment as any member of `unit` (time window, burst key). */
  private momentCandidates(unit: Unit): Set<Unit> {
    const out = new Set<Unit>();
    const consider = (p: Picture, key: string): void => {
      const other = this.unitOf.get(key);
      if (other && other !== unit && sameMoment(p, this.pictures.get(key)!, this.t)) out.add(other);
    };
    for (const m of unit.members) {
      const p = this.pictures.get(m)!;
      if (p.takenAt !== null && p.camera !== null) {
        for (const { key } of this.times.range(p.takenAt - this.t.burstWindowMs, p.takenAt + this.t.burstWindowMs)) consider(p, key);
      }
      if (p.burstKey !== null) for (const key of this.byBurstKey.get(p.burstKey) ?? []) consider(p, key);
    }
    return out;
  }

  /** Mean cosine between every member of a and every member of b, or -Infinity if any pair is not burst-similar. */
  private unitAffinity(a: Unit, b: Unit): number {
    let sum = 0;
    let n = 0;
    for (const x of a.members) {
      const p = this.pictures.get(x)!;
      for (const y of b.members) {
        const q = this.pictures.get(y)!;
        const c = burstCosine(p, q, this.t, this.seps, this.vec);
        if (c === null) return -Infinity;
        sum += c;
        n++;
      }
    }
    return n ? sum / n : -Infinity;
  }

  /** Joins the burst (or starts one with a lone frame) that the unit is similar to as a whole. */
  private joinBurst(unit: Unit): void {
    let best: { target: Unit; burst: Burst | null } | null = null;
    let bestScore = -Infinity;
    const tried = new Set<Burst | Unit>();
    for (const cand of this.momentCandidates(unit)) {
      const group = cand.burst ?? cand;
      if (tried.has(group)) continue;
      tried.add(group);
      const frames = cand.burst ? [...cand.burst.units] : [cand];
      if (frames.length >= this.t.burstCap) continue;
      let score = 0;
      for (const f of frames) {
        const a = this.unitAffinity(unit, f);
        if (a === -Infinity) {
          score = -Infinity;
          break;
        }
        score += a / frames.length;
      }
      if (score > bestScore) {
        bestScore = score;
        best = { target: cand, burst: cand.burst };
      }
    }
    if (!best || bestScore === -Infinity) return;
    let burst = best.burst;
    if (!burst) {
      burst = { id: this.nextId++, units: new Set([best.target]) };
      best.target.burst = burst;
      this.burstsById.set(burst.id, burst);
      this.dirty.add(best.target.id);
    }
    burst.units.add(unit);
    unit.burst = burst;
    this.dirty.add(burst.id);
  }
}
