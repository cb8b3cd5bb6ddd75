/**
 * The relevance boundary on real photos with a model whose scores mean something: the toy-colors
 * model (its embeddings are a photo's colour histogram) over coloured photos and the 50 real
 * photos of ../shared/photos. A photo's dominant colour under the model is the known answer for
 * a colour query. Measured through the engine as the app searches (search/query-relevance.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import type { PhotoFilter } from '../../electron/shared/api.ts';
import { BackgroundSample } from '../../electron/engine/search/background-sample.ts';
import { measureRelevance } from '../../electron/engine/search/query-relevance.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { COLOURS, writeColourSet, type ColourName } from '../../scripts/fixtures/colour-photos.ts';
import { TOY_COLORS } from '../../scripts/models/toy-colors.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const sharedPhotos = path.resolve('../shared/photos');
const colours = Object.keys(COLOURS) as ColourName[];

describe('relevance boundary (toy-colors model, coloured and real photos)', () => {
  let tmp: string;
  let engine: Engine;
  const sample = new BackgroundSample();
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
    const res = await engine.search.text(query, 1000, opts.filters ?? {}, undefined, 'visual');
    const [vec] = await engine.model.embedTexts([query]);
    const b = measureRelevance({ repo: engine.vectors, sample, vec: vec!, top: res.hits, total: res.matched, sensitivity: opts.sensitivity });
    return { boundary: b, names: res.hits.slice(0, b.relevant).map((h) => h.fileName), all: res.hits.length };
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
    expect(red.boundary.threshold).not.toBeCloseTo(purple.boundary.threshold, 1);
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
});
