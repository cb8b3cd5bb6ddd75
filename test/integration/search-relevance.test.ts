/**
 * Results that end, through the engine as the app and the CLI search: the toy-colors model (its
 * embeddings are a photo's colour histogram, so its scores mean something) over coloured photos
 * and the 50 real photos of ../shared/photos. A photo's dominant colour under the model is the
 * known answer for a colour query. What is checked is what the person gets: the first page's
 * relevant count, hits marked relevant or weaker, pages that stop after the relevant ones, the
 * weaker rest on request, text matches on the same scale, and the sensitivity setting.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import type { PhotoFilter, PhotoHit, SearchResponse } from '../../electron/shared/api.ts';
import { SearchService } from '../../electron/engine/search/search-service.ts';
import { VectorSearch } from '../../electron/engine/search/vector-search.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { COLOURS, writeColourSet, type ColourName } from '../../scripts/fixtures/colour-photos.ts';
import { TOY_COLORS } from '../../scripts/models/toy-colors.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const sharedPhotos = path.resolve('../shared/photos');
const colours = Object.keys(COLOURS) as ColourName[];

/** Every page of a list: the relevant pages, then (weaker) the pages behind weakerCursor. */
async function pages(first: (cursor?: string) => Promise<SearchResponse>, weaker: boolean) {
  const out: SearchResponse[] = [await first()];
  for (;;) {
    const last = out[out.length - 1]!;
    const cursor = last.nextCursor ?? (weaker ? last.weakerCursor : undefined);
    if (!cursor) return out;
    out.push(await first(cursor));
  }
}

const keyOf = (h: PhotoHit): string => `${h.id}@${h.segment?.start ?? ''}`;

describe('relevance boundary (toy-colors model, coloured and real photos)', () => {
  let tmp: string;
  let engine: Engine;
  let sensitivity = 0;
  /** file name → dominant colour under the model (the largest of its colour axes). */
  const dominant = new Map<string, string>();

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-relevance-'));
    const lib = path.join(tmp, 'library');
    await writeColourSet(path.join(lib, 'colours'), colours, 3);
    fs.mkdirSync(path.join(lib, 'real'));
    for (const f of fs.readdirSync(sharedPhotos).filter((f) => f.endsWith('.JPEG'))) fs.copyFileSync(path.join(sharedPhotos, f), path.join(lib, 'real', f));
    engine = await Engine.open({
      dbPath: path.join(tmp, 'db', 'library.db'),
      modelDir: path.join(models, 'toy-colors'),
      session: { threads: 1 },
      logger: createLogger('test', 'warn'),
      searchSensitivity: () => sensitivity,
    });
    await engine.indexFolders([lib]);
    for (const row of engine.lib.photos.getMany(Array.from({ length: 200 }, (_, i) => i + 1))) {
      const v = engine.vectors.get(row.id);
      if (!v) continue;
      let best = 0;
      for (let k = 1; k < TOY_COLORS.length; k++) if (v[k]! > v[best]!) best = k;
      dominant.set(path.basename(row.path), TOY_COLORS[best]!.char);
    }
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function relevantFor(query: string, opts: { sensitivity?: number; filters?: PhotoFilter } = {}) {
    sensitivity = opts.sensitivity ?? 0;
    try {
      const res = await engine.search.text(query, 200, opts.filters ?? {}, undefined, 'visual');
      const relevance = res.relevance!;
      return { boundary: relevance, res, names: res.hits.map((h) => h.fileName), all: res.matched ?? 0 };
    } finally {
      sensitivity = 0;
    }
  }

  it('"红色" ends after the red photos: every one inside, no photo of another colour, not the library', async () => {
    const { boundary, names, all } = await relevantFor('红色');
    const red = [...dominant].filter(([, c]) => c === '红').map(([f]) => f);
    expect(red.length).toBeGreaterThanOrEqual(5); // 3 made red + the real photos the model calls red
    for (const f of red) expect(names).toContain(f);
    const otherMade = names.filter((n) => /^(orange|yellow|green|blue|purple|black|white|gray)-/.test(n));
    expect(otherMade).toEqual([]);
    expect(names.length).toBeLessThanOrEqual(all / 4);
    expect(boundary.method).toBe('break');
    expect(boundary.complete).toBe(true);
  });

  it('each colour keeps its own photos and none of the other made colours', async () => {
    for (const c of ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'black', 'white'] as const) {
      const { names } = await relevantFor(`${COLOURS[c].zh}色`);
      for (let i = 1; i <= 3; i++) expect(names, c).toContain(`${c}-${i}.jpg`);
      expect(
        names.filter((n) => /^[a-z]+-\d\.jpg$/.test(n) && !n.startsWith(`${c}-`)),
        c,
      ).toEqual([]);
    }
  });

  it('a query the model knows nothing about matches nothing, and says so', async () => {
    for (const q of ['猫', '一只狗在草地上', '星巴克']) {
      const { boundary } = await relevantFor(q);
      expect(boundary.relevant, q).toBe(0);
      expect(boundary.method, q).toBe('none');
    }
  });

  it('the boundary differs per query: no one cosine separates the answers', async () => {
    const red = await relevantFor('红色');
    const purple = await relevantFor('紫色');
    expect(red.boundary.threshold).not.toBeCloseTo(purple.boundary.threshold!, 1);
  });

  it('inside a folder, the library is still the background', async () => {
    const inReal = await relevantFor('红色', { filters: { folder: path.join(tmp, 'library', 'real') } });
    const realRed = [...dominant].filter(([f, c]) => c === '红' && f.endsWith('.JPEG')).map(([f]) => f);
    for (const f of realRed) expect(inReal.names).toContain(f);
    expect(inReal.names.every((n) => n.endsWith('.JPEG'))).toBe(true);
  });

  it("the person's sensitivity widens or narrows the answer", async () => {
    const counts = [];
    for (const s of [-3, 0, 3]) counts.push((await relevantFor('一只狗在草地上', { sensitivity: s })).boundary.relevant);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[2]).toBeGreaterThan(0);
  });

  const idOf = (name: string): number => engine.lib.photos.getMany(Array.from({ length: 200 }, (_, i) => i + 1)).find((r) => path.basename(r.path) === name)!.id;

  it('pages stop after the relevant photos; the weaker rest comes on request, marked, nothing repeated', async () => {
    const list = (cursor?: string) => engine.search.text('红色', 2, {}, cursor, 'visual');
    const relevantPages = await pages(list, false);
    const first = relevantPages[0]!;
    const n = first.relevance!.relevant;
    expect(n).toBeGreaterThanOrEqual(5);
    const relevant = relevantPages.flatMap((p) => p.hits);
    expect(relevant).toHaveLength(n);
    expect(relevant.every((h) => h.relevant === true && h.relevance! >= 0.5)).toBe(true);
    expect(relevantPages.at(-1)!.nextCursor).toBeNull();
    expect(relevantPages.at(-1)!.weakerCursor).toBeTruthy();
    // Only the first page says how many match.
    expect(relevantPages.slice(1).every((p) => p.relevance === undefined)).toBe(true);

    const everything = (await pages(list, true)).flatMap((p) => p.hits);
    expect(everything.slice(0, n).map(keyOf)).toEqual(relevant.map(keyOf));
    const weaker = everything.slice(n);
    expect(weaker.length).toBeGreaterThan(0);
    expect(weaker.every((h) => h.relevant === false && h.relevance! < 0.5)).toBe(true);
    expect(new Set(everything.map(keyOf)).size).toBe(everything.length);
    expect(everything).toHaveLength(first.matched!);
    // The number a person reads never rises down the list.
    for (let i = 1; i < everything.length; i++) expect(everything[i]!.relevance!).toBeLessThanOrEqual(everything[i - 1]!.relevance!);
  });

  it('a page that ends exactly at the boundary already offers the weaker rest (no empty page after it)', async () => {
    const n = (await engine.search.text('绿色', 200, {}, undefined, 'visual')).relevance!.relevant;
    expect(n).toBeGreaterThan(0);
    const page = await engine.search.text('绿色', n, {}, undefined, 'visual');
    expect(page.hits).toHaveLength(n);
    expect(page.nextCursor).toBeNull();
    expect(page.weakerCursor).toBeTruthy();
  });

  it('nothing relevant: an empty first page that says so, and every photo behind weakerCursor', async () => {
    const first = await engine.search.text('猫', 50, {}, undefined, 'visual');
    expect(first.relevance).toMatchObject({ relevant: 0, method: 'none' });
    expect(first.hits).toEqual([]);
    expect(first.nextCursor).toBeNull();
    const rest = (await pages((cursor) => engine.search.text('猫', 50, {}, cursor ?? first.weakerCursor!, 'visual'), false)).flatMap((p) => p.hits);
    expect(rest).toHaveLength(first.matched!);
    expect(rest.every((h) => h.relevant === false)).toBe(true);
  });

  it('a cursor of another list, or with a changed boundary, is refused', async () => {
    const red = await engine.search.text('红色', 2, {}, undefined, 'visual');
    await expect(engine.search.text('蓝色', 2, {}, red.nextCursor!, 'visual')).rejects.toThrow(/another search/);
    const body = JSON.parse(Buffer.from(red.nextCursor!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...body, b: [0.5, 'x'] })).toString('base64url');
    await expect(engine.search.text('红色', 2, {}, forged, 'visual')).rejects.toThrow(/not a search cursor/);
  });

  it('similar photos end too: the red photos for a red one, the photo itself left out', async () => {
    const red1 = idOf('red-1.jpg');
    const res = await engine.search.similar(red1, 100);
    expect(res.relevance!.relevant).toBeGreaterThanOrEqual(2);
    const names = res.hits.map((h) => h.fileName);
    expect(names).toEqual(expect.arrayContaining(['red-2.jpg', 'red-3.jpg']));
    expect(names).not.toContain('red-1.jpg');
    expect(names.filter((n) => /^(green|blue|yellow|purple|white)-/.test(n))).toEqual([]);
    expect(res.hits.length).toBeLessThan(res.matched!);
  });

  it('a text match is relevant and ranked on the same scale: the receipt that says 星巴克 is first, above every unrelated photo', async () => {
    // The text side as the OCR service would answer: one photo (a blue one) whose text holds the query.
    const receipt = idOf('blue-2.jpg');
    const textSide = {
      search: (q: string) => (q === '星巴克' || q === '红色' ? [{ photoId: receipt, exact: true }] : []),
      snippets: (_q: string, hits: readonly { photoId: number }[]) => new Map(hits.map((h) => [h.photoId, { text: '星巴克 拿铁 大杯', start: 0, end: 3 }])),
    };
    const vectors = new VectorSearch(engine.vectors, engine.lib.vectorLog, { dir: null });
    const svc = new SearchService(engine.lib, () => ({ embedder: engine.model, vectors }), textSide);
    const first = await svc.text('星巴克', 20);
    expect(first.relevance).toMatchObject({ relevant: 1 });
    // 'both': a library this small is all inside the visual window, so the receipt has a visual rank too.
    expect(first.hits.map((h) => [h.id, h.relevant])).toEqual([[receipt, true]]);
    expect(['text', 'both']).toContain(first.hits[0]!.matchedBy);
    expect(first.hits[0]!.relevance).toBeGreaterThanOrEqual(0.9);
    expect(first.nextCursor).toBeNull();
    const weaker = (await pages((c) => svc.text('星巴克', 30, {}, c ?? first.weakerCursor), false)).flatMap((p) => p.hits);
    expect(weaker.length).toBe(first.matched! - 1);
    expect(weaker.every((h) => h.relevant === false && h.relevance! < first.hits[0]!.relevance!)).toBe(true);

    // Text and looks in one list: the red photos and the blue photo whose text says 红色, by relevance.
    const mixed = await svc.text('红色', 100);
    const ids = mixed.hits.map((h) => h.id);
    expect(ids).toContain(receipt);
    expect(ids).toContain(idOf('red-1.jpg'));
    expect(mixed.relevance!.relevant).toBe(mixed.hits.length);
    for (let i = 1; i < mixed.hits.length; i++) expect(mixed.hits[i]!.relevance!).toBeLessThanOrEqual(mixed.hits[i - 1]!.relevance!);
    expect(mixed.weakerCursor).toBeTruthy();
    await vectors.close();
  });

  it('the CLI says how many match and stops there; --all shows the weaker ones after a line; --json carries the marks', async () => {
    const home = path.join(tmp, 'home');
    const cli = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', path.join(tmp, 'db', 'library.db'), '--model', path.join(models, 'toy-colors'), '--threads', '1', ...args], {
        env: { ...process.env, SHIGUANG_HOME: home, SHIGUANG_LOG: 'warn' },
        maxBuffer: 16 << 20,
      });
    const n = (await engine.search.text('红色', 200, {}, undefined, 'visual')).relevance!.relevant;
    const zh = await cli(['--lang', 'zh-CN', 'search', '红色', '--mode', 'visual', '-n', '200']);
    const lines = zh.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${n} 张相关照片`);
    expect(lines.slice(1).filter((l) => /^\s*\d+\.\s+\d+%/.test(l))).toHaveLength(n);
    expect(zh.stderr).toContain('加 --all 显示');
    const en = await cli(['--lang', 'en', 'search', '红色', '--mode', 'visual', '-n', '200', '--all']);
    expect(en.stdout.split('\n')[0]).toBe(`${n} relevant photos`);
    expect(en.stdout).toContain('— weaker matches from here —');
    expect(en.stdout.split('\n').filter((l) => /^\s*\d+\.\s+\d+%/.test(l)).length).toBeGreaterThan(n);
    const json = JSON.parse((await cli(['search', '红色', '--mode', 'visual', '--json', '--all', '-n', '200'])).stdout) as { relevant: boolean; relevance: number }[];
    expect(json.filter((h) => h.relevant)).toHaveLength(n);
    expect(json.every((h) => typeof h.relevance === 'number')).toBe(true);
    // The setting, as saved in the config file, moves the boundary for the CLI too.
    const dogs = ['search', '一只狗在草地上', '--mode', 'visual', '--json', '-n', '200'];
    expect(JSON.parse((await cli(dogs)).stdout)).toEqual([]);
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ searchSensitivity: 3 }));
    expect((JSON.parse((await cli(dogs)).stdout) as unknown[]).length).toBeGreaterThan(0);
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ searchSensitivity: 1.5 }));
    const bad = await cli(['search', '红色']).catch((e: { stderr: string }) => e);
    expect(bad.stderr).toMatch(/searchSensitivity/);
  }, 120_000);
});

describe('relevance boundary in a library of a few photos (toy-colors model)', () => {
  let tmp: string;
  let engine: Engine;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-relevance-few-'));
    await writeColourSet(path.join(tmp, 'photos'), ['red', 'blue', 'green', 'yellow'], 1);
    engine = await Engine.open({ dbPath: path.join(tmp, 'library.db'), modelDir: path.join(models, 'toy-colors'), session: { threads: 1 }, logger: createLogger('test', 'warn') });
    await engine.indexFolders([path.join(tmp, 'photos')]);
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('four photos: 红色 is the red one; a query the model knows nothing of matches none (scores 1e-4 apart once made one photo 100 %)', async () => {
    const red = await engine.search.text('红色', 20, {}, undefined, 'visual');
    expect(red.hits.slice(0, red.relevance!.relevant).map((h) => h.fileName)).toEqual(['red-1.jpg']);
    for (const q of ['一只猫', '星巴克']) {
      const res = await engine.search.text(q, 20, {}, undefined, 'visual');
      expect(res.relevance!.relevant, q).toBe(0);
      expect(res.relevance!.method, q).toBe('none');
      expect(res.hits, q).toEqual([]);
    }
  });
});
