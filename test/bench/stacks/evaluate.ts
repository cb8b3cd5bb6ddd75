/**
 * What the calibration set says: the cosine margins that decide C1 (near) and C2 (burst) for the
 * model that embedded it, and the precision and recall of each kind when the grouping runs over
 * the whole set from scratch.
 */
import { StackGrouper } from '../../../electron/engine/stacks/grouper.ts';
import { hammingDistance } from '../../../electron/engine/stacks/phash.ts';
import { cosine, sameMoment, type StackThresholds } from '../../../electron/engine/stacks/relations.ts';
import type { Item } from './calibration-set.ts';

export interface CosineMargin {
  samePairs: number;
  differentPairs: number;
  /** Lowest cosine between two items that belong together. */
  farthestSame: number | null;
  /** Highest cosine between two that do not (among pairs that reach the cosine check). */
  closestDifferent: number | null;
  /** Midpoint when they separate, else the threshold with the best F1. */
  suggested: number | null;
  separable: boolean;
}

const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

function margin(same: number[], different: number[]): CosineMargin {
  const farthestSame = same.length ? Math.min(...same) : null;
  const closestDifferent = different.length ? Math.max(...different) : null;
  let suggested: number | null = null;
  const separable = farthestSame !== null && (closestDifferent === null || closestDifferent < farthestSame);
  if (farthestSame !== null && separable) {
    suggested = closestDifferent === null ? farthestSame - 0.02 : (farthestSame + closestDifferent) / 2;
  } else if (farthestSame !== null) {
    let best = -1;
    for (const c of [...same, ...different].sort((a, b) => a - b)) {
      const tp = same.filter((s) => s >= c).length;
      const fp = different.filter((d) => d >= c).length;
      const f1 = (2 * tp) / (2 * tp + fp + (same.length - tp));
      if (f1 > best) {
        best = f1;
        suggested = c;
      }
    }
  }
  return {
    samePairs: same.length,
    differentPairs: different.length,
    farthestSame: farthestSame === null ? null : r4(farthestSame),
    closestDifferent: closestDifferent === null ? null : r4(closestDifferent),
    suggested: suggested === null ? null : r4(suggested),
    separable,
  };
}

/**
 * C1 (near): copies of one picture against different pictures whose hashes are within T1 (only
 * those reach the cosine), counting burst frames as different pictures that lost their EXIF.
 * C2 (burst): frames of one burst against what else the camera took then (the intruders).
 */
export function cosineMargins(items: Item[], t: StackThresholds): { near: CosineMargin; burst: CosineMargin; nearHashOnlyClosestDifferent: number | null } {
  const nearSame: number[] = [];
  const nearDiff: number[] = [];
  let hashClosestDiff: number | null = null;
  const burstSame: number[] = [];
  const burstDiff: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const a = items[i];
    for (let j = i + 1; j < items.length; j++) {
      const b = items[j];
      const c = cosine(a.picture.vector!, b.picture.vector!);
      const d = hammingDistance(a.picture.phash!, b.picture.phash!);
      const samePicture = a.source === b.source;
      if (samePicture && a.expected && b.expected && a.burst === null) nearSame.push(c);
      else if (!samePicture && d <= t.nearHashDistance) nearDiff.push(c);
      if (!samePicture) hashClosestDiff = Math.min(hashClosestDiff ?? 64, d);
      if (a.burst !== null && a.burst === b.burst) burstSame.push(c);
      else if ((a.burst !== null || b.burst !== null) && !samePicture && sameMoment(a.picture, b.picture, t)) burstDiff.push(c);
    }
  }
  return { near: margin(nearSame, nearDiff), burst: margin(burstSame, burstDiff), nearHashOnlyClosestDifferent: hashClosestDiff };
}

export interface PrecisionRecall {
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
  precision: number | null;
  recall: number | null;
}

function pairsOf(groups: string[][]): Set<string> {
  const out = new Set<string>();
  for (const g of groups) {
    const s = [...g].sort();
    for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) out.add(`${s[i]}\n${s[j]}`);
  }
  return out;
}

function score(truth: Set<string>, predicted: Set<string>): PrecisionRecall {
  let correct = 0;
  for (const p of predicted) if (truth.has(p)) correct++;
  return {
    truePairs: truth.size,
    predictedPairs: predicted.size,
    correctPairs: correct,
    precision: predicted.size ? r4(correct / predicted.size) : null,
    recall: truth.size ? r4(correct / truth.size) : null,
  };
}

function groupBy(items: Item[], key: (i: Item) => string | null): string[][] {
  const m = new Map<string, string[]>();
  for (const i of items) {
    const k = key(i);
    if (k === null) continue;
    const list = m.get(k);
    if (list) list.push(i.picture.key);
    else m.set(k, [i.picture.key]);
  }
  return [...m.values()];
}

/**
 * Groups the whole set from scratch and scores each kind on pairs of pictures. Near: truth is
 * "copies of one photo that the near kind is meant to find"; burst: "frames of one burst".
 * A copy found only through its burst does not count for near.
 */
export function precisionRecall(
  items: Item[],
  t: StackThresholds,
): { near: PrecisionRecall; nearWithOriginalByCopy: Record<string, number>; burst: PrecisionRecall; groupSeconds: number } {
  const g = new StackGrouper(t);
  const t0 = performance.now();
  g.insertAll(items.map((i) => i.picture));
  const groupSeconds = (performance.now() - t0) / 1000;
  const snap = g.snapshot();
  const nearTruth = pairsOf(groupBy(items, (i) => (i.burst === null && i.expected && i.variant !== 'intruder' ? i.source : null)));
  const burstTruth = pairsOf(groupBy(items, (i) => i.burst));
  // A mirror image or a screenshot found with its original is neither required nor wrong.
  const sourceOf = new Map(items.map((i) => [i.picture.key, i]));
  const nearPredicted = [...pairsOf(snap.near.map((n) => n.keys))].filter((p) => {
    const [a, b] = p.split('\n').map((k) => sourceOf.get(k)!);
    return !(a.source === b.source && (!a.expected || !b.expected));
  });
  // Per kind of copy: the share of photos whose copy ended up in the original's near group.
  const byCopy: Record<string, [number, number]> = {};
  for (const i of items) {
    if (i.burst !== null || i.variant === 'copy' || i.variant === 'frame' || i.variant === 'intruder') continue;
    const together = (g.nearGroupOf(i.picture.key) ?? []).includes(`${i.source}#original`);
    const c = (byCopy[i.variant] ??= [0, 0]);
    c[0] += together ? 1 : 0;
    c[1]++;
  }
  return {
    nearWithOriginalByCopy: Object.fromEntries(Object.entries(byCopy).map(([v, [k, n]]) => [v, r4(k / n)])),
    near: score(nearTruth, new Set(nearPredicted)),
    burst: score(burstTruth, pairsOf(snap.bursts.map((b) => b.frames.flat()))),
    groupSeconds,
  };
}
