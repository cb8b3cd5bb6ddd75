/**
 * How the relevance boundary is wired (the arithmetic is search-relevance.test.ts; the lists the
 * engine and the CLI return are test/integration/search-relevance.test.ts): the boundary on the
 * generated CLIP-like libraries of the search benchmarks against the best fixed cosine, the fused
 * list's order, the cursors that carry a boundary, and the sensitivity setting validated where it
 * enters (the request, the settings service, the settings file).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRequest, SEARCH_SENSITIVITY } from '../../electron/shared/api.ts';
import { decodeCursor, encodeCursor } from '../../electron/engine/search/cursor.ts';
import { hitKey, type FusedHit } from '../../electron/engine/search/fuse.ts';
import { evaluateRelevance, type LabelledQuery } from '../../electron/engine/search/relevance-eval.ts';
import { listBoundary, orderFusedHead, type ListBoundary } from '../../electron/engine/search/query-relevance.ts';
import { relevanceBoundary } from '../../electron/engine/search/relevance.ts';
import { readSettings } from '../../electron/engine/settings/settings-file.ts';
import { SettingsService } from '../../electron/engine/settings/settings-service.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { makeQueries, makeVectors } from '../bench/search/vectors.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-relevance-wiring-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function generatedLibrary(n: number, queries: number, seed: number) {
  const dim = 128;
  const topicOf = new Int32Array(n);
  const queryTopic = new Int32Array(queries);
  const flat = makeVectors('clip-like', n, dim, seed, topicOf);
  const photos = Array.from({ length: n }, (_, i) => flat.subarray(i * dim, (i + 1) * dim));
  const qs: LabelledQuery[] = makeQueries('clip-like', queries, dim, seed, queryTopic).map((vec, q) => {
    const answers = new Set<number>();
    topicOf.forEach((t, i) => t === queryTopic[q] && answers.add(i));
    return { query: `topic ${queryTopic[q]}`, vec, answers };
  });
  return { photos, queries: qs };
}

/** Mean F1 of cutting every query's list at one cosine (F1 1 for a query without answers that keeps nothing). */
function fixedCosineF1(scores: { s: Float32Array; answers: ReadonlySet<number> }[], t: number): number {
  let sum = 0;
  for (const q of scores) {
    let kept = 0;
    let found = 0;
    for (let i = 0; i < q.s.length; i++) {
      if (q.s[i]! >= t) {
        kept++;
        if (q.answers.has(i)) found++;
      }
    }
    sum += kept + q.answers.size === 0 ? 1 : (2 * found) / (kept + q.answers.size);
  }
  return sum / scores.length;
}

describe('the boundary on generated CLIP-like libraries', () => {
  it('is right most of the time, keeps nothing for most queries without answers, and beats every fixed cosine', () => {
    const { photos, queries } = generatedLibrary(3000, 30, 7);
    const e = evaluateRelevance(photos, queries);
    expect(e.precision).toBeGreaterThan(0.8);
    expect(e.emptyWhenNothing ?? 1).toBeGreaterThan(0.7);
    // The best single cosine for this whole set, chosen knowing the answers, still does worse: the
    // right cut differs per query.
    const scores = queries.map((q) => ({ answers: q.answers, s: Float32Array.from(photos, (v) => v.reduce((acc, x, j) => acc + x * q.vec[j]!, 0)) }));
    let bestFixed = 0;
    for (let t = 0; t <= 0.6; t += 0.005) bestFixed = Math.max(bestFixed, fixedCosineF1(scores, t));
    expect(e.f1).toBeGreaterThan(bestFixed);
  });
});

const boundary: ListBoundary = { threshold: 0.3, z: 3, median: 0.15, spread: 0.05, complete: true };

describe('the fused list', () => {
  const hit = (photoId: number, o: Partial<FusedHit>): FusedHit => ({ photoId, matchedBy: 'visual', fused: 0, exactText: false, ...o });

  it('puts the relevant hits first by relevance and the weaker ones after, in fused order; a text match counts whatever it looks like', () => {
    const fused = [
      hit(1, { matchedBy: 'text', textRank: 1, exactText: true, visualScore: 0.05 }), // the receipt: 星巴克 in its text, looks like nothing
      hit(2, { visualScore: 0.42, visualRank: 1 }), // looks very much like it
      hit(3, { visualScore: 0.25, visualRank: 2 }), // unrelated
      hit(4, { matchedBy: 'both', textRank: 2, visualScore: 0.31, visualRank: 3 }),
      hit(5, { visualScore: 0.31, visualRank: 4 }),
      hit(6, { visualScore: 0.2, visualRank: 5 }),
    ];
    const o = orderFusedHead(fused, boundary, '星巴克', hitKey);
    expect(o.relevant).toBe(4);
    expect(o.head.slice(4).map((h) => h.photoId)).toEqual([3, 6]);
    const rel = o.head.map((h) => o.marks.get(hitKey(h))!.relevance);
    for (let i = 1; i < rel.length; i++) expect(rel[i]!).toBeLessThanOrEqual(rel[i - 1]!);
    expect(o.marks.get('1')).toMatchObject({ relevant: true });
    expect(o.marks.get('1')!.relevance).toBeGreaterThanOrEqual(0.9);
    expect(o.marks.get('3')!.relevance).toBeLessThan(0.5);
    // Text and looks together count more than either alone.
    expect(o.marks.get('4')!.relevance).toBeGreaterThan(o.marks.get('5')!.relevance);
  });

  it('text matches alone (mode text) are all relevant, whole-query matches first', () => {
    const o = orderFusedHead([hit(1, { matchedBy: 'text', textRank: 1 }), hit(2, { matchedBy: 'text', textRank: 2, exactText: true })], null, '营业时间', hitKey);
    expect(o.relevant).toBe(2);
    expect(o.head.map((h) => h.photoId)).toEqual([2, 1]);
  });
});

describe('cursors carry the boundary', () => {
  it('round-trips position, boundary and the weaker phase; a weaker cursor may start at the beginning', () => {
    const b = listBoundary(relevanceBoundary({ top: [0.9, 0.88, 0.2, 0.19], total: 40, background: [0.2, 0.19, 0.21, 0.18, 0.2, 0.22] }));
    const at = { distance: 0.5, photoId: 7, depth: 3 };
    expect(decodeCursor('k', encodeCursor('k', at, { boundary: b }))).toEqual({ after: at, boundary: b, weaker: false });
    expect(decodeCursor('k', encodeCursor('k', undefined, { boundary: b, weaker: true }))).toEqual({ after: undefined, boundary: b, weaker: true });
    expect(decodeCursor('k', encodeCursor('k', at))).toEqual({ after: at, weaker: false });
    expect(() => decodeCursor('k', encodeCursor('k', undefined))).toThrow(/not a search cursor/);
    expect(() => decodeCursor('other', encodeCursor('k', at))).toThrow(/another search/);
  });
});

describe('the sensitivity setting', () => {
  const file = path.join(tmp, 'config.json');
  const warnings: string[] = [];
  const log = { ...createLogger('test', 'error'), warn: (m: string) => void warnings.push(m) };
  const catalogue = { envName: 'SHIGUANG_TEST_SOURCES', builtIn: ['a'], defaultOrder: () => ['a'], parse: () => [] };
  const settings = new SettingsService(file, {}, catalogue, log);

  it('is validated by the request schema: whole steps from -3 to 3', () => {
    expect(parseRequest('updateSettings', { searchSensitivity: 2 })).toEqual({ searchSensitivity: 2 });
    for (const bad of [1.5, 4, -4, '1']) expect(() => parseRequest('updateSettings', { searchSensitivity: bad })).toThrow();
  });

  it('defaults to 0, is saved and described, 0 is stored as absent, out of range is refused', async () => {
    expect(settings.describe().searchSensitivity).toBe(SEARCH_SENSITIVITY.default);
    await settings.update({ searchSensitivity: -2 });
    expect(settings.searchSensitivity()).toBe(-2);
    expect(settings.describe().searchSensitivity).toBe(-2);
    expect(readSettings(file).searchSensitivity).toBe(-2);
    await settings.update({ searchSensitivity: 0 });
    expect('searchSensitivity' in readSettings(file)).toBe(false);
    await expect(settings.update({ searchSensitivity: 7 })).rejects.toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'sensitivity-range' } });
  });

  it('a hand-edited value out of range: the file is refused where it is read, search goes on as measured', () => {
    fs.writeFileSync(file, JSON.stringify({ searchSensitivity: 9 }));
    expect(() => readSettings(file)).toThrow(/searchSensitivity/);
    expect(settings.searchSensitivity()).toBe(0);
    expect(warnings.some((w) => w.includes('searchSensitivity'))).toBe(true);
  });
});
