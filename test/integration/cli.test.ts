/**
 * The CLI as a user runs it (`npm run cli -- …` is `tsx electron/cli/main.ts …`), with the
 * toy-colors model: index, search --json, similar, status --json, inspect, tags, eval zeroshot.
 * Tests that run many commands in a row have room for a busy machine (each start of the CLI is a
 * few seconds there); none waits for a fixed time.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColourSet, COLOURS, type ColourName } from '../../scripts/fixtures/colour-photos.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(models, 'toy-colors');

describe('shiguang CLI', () => {
  let tmp: string;
  let photos: string;
  let db: string;
  const cli = async (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> => {
    const p = run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', ...args], {
      env: { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' },
      maxBuffer: 64 << 20,
    });
    if (input !== undefined) {
      p.child.stdin!.end(input);
    }
    return p;
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-cli-'));
    photos = path.join(tmp, 'photos');
    db = path.join(tmp, 'lib.db');
    await writeColourSet(photos, ['red', 'green', 'blue', 'white'], 3);
    fs.writeFileSync(path.join(photos, 'broken.jpg'), 'not a photo');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('index prints a summary; status --json reports counts, skipped files, model and provider', async () => {
    const { stderr } = await cli(['index', photos]);
    expect(stderr).toMatch(/encoded 12, skipped 1/);
    const status = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(status.counts).toEqual({ indexed: 12, pending: 0, skipped: 1 });
    expect(status.skipped).toEqual([{ path: path.join(photos, 'broken.jpg'), reason: expect.stringMatching(/^not-an-image/) }]);
    expect(status.model).toMatchObject({ id: 'test-toy-colors', embeddingDim: 16 });
    expect(status.provider.name).toBe('cpu');
  });

  it('search --json returns {path, score} best first, with filters', async () => {
    const hits = JSON.parse((await cli(['search', '绿色的草地', '--limit', '3', '--json'])).stdout) as { path: string; score: number }[];
    expect(hits.map((h) => path.basename(h.path)).sort()).toEqual(['green-1.jpg', 'green-2.jpg', 'green-3.jpg']);
    expect(hits[0].score).toBeGreaterThanOrEqual(hits[2].score);
    const none = JSON.parse((await cli(['search', '红色', '--before', '2001-01-01', '--json'])).stdout);
    expect(none).toEqual([]);
    const bad = await cli(['search', '红色', '--after', 'yesterday']).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr).toMatch(/after: expected an ISO date/);
  });

  it('similar finds photos like an indexed one or like any image file', async () => {
    const hits = JSON.parse((await cli(['similar', path.join(photos, 'blue-1.jpg'), '--limit', '2', '--json'])).stdout) as { path: string }[];
    expect(hits.map((h) => path.basename(h.path)).sort()).toEqual(['blue-2.jpg', 'blue-3.jpg']);
  });

  it('inspect tokens, pixels, embed and model', async () => {
    const ids = JSON.parse((await cli(['inspect', 'tokens', '红色的花', '--json'])).stdout) as number[];
    expect(ids).toHaveLength(52);
    expect(ids[0]).toBe(101);
    expect(ids[5]).toBe(102);
    const batch = JSON.parse((await cli(['inspect', 'tokens', '--stdin'], JSON.stringify(['红色', '']))).stdout) as number[][];
    expect(batch[0].slice(0, 4)).toEqual([101, ids[1], ids[2], 102]);
    expect(batch[1].slice(0, 3)).toEqual([101, 102, 0]);

    const px = JSON.parse((await cli(['inspect', 'pixels', path.join(photos, 'red-1.jpg'), '--json'])).stdout);
    expect(px[0].pool8x8).toHaveLength(3);
    // Red photo: the red channel's normalised mean is well above the blue one's.
    expect(px[0].mean[0]).toBeGreaterThan(px[0].mean[2] + 1);

    const text = JSON.parse((await cli(['inspect', 'embed', '--text', '白色', '--json'])).stdout);
    const imgs = JSON.parse((await cli(['inspect', 'embed', path.join(photos, 'white-1.jpg'), path.join(photos, 'red-1.jpg'), '--json'])).stdout);
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
    expect(Math.hypot(...text.embedding)).toBeCloseTo(1, 5);
    expect(dot(text.embedding, imgs[0].embedding)).toBeGreaterThan(dot(text.embedding, imgs[1].embedding));

    const model = await cli(['inspect', 'model', toy]);
    expect(model.stdout).toMatch(/image: ok on cpu, batch fixed/);
    expect(model.stdout).toMatch(/in: {2}image float32 \[1,3,64,64\]/);
  }, 240_000);

  it('inspect model says what differs when a manifest does not match its graph', async () => {
    const broken = path.join(tmp, 'broken-model');
    fs.cpSync(toy, broken, { recursive: true });
    const m = JSON.parse(fs.readFileSync(path.join(broken, 'manifest.json'), 'utf8'));
    m.embeddingDim = 32;
    m.image.input = 'pixel_values';
    fs.writeFileSync(path.join(broken, 'manifest.json'), JSON.stringify(m));
    const r = await cli(['inspect', 'model', broken]).catch((e: { code: number; stdout: string }) => e);
    expect((r as { code: number }).code).toBe(1);
    expect((r as { stdout: string }).stdout).toMatch(/image input "pixel_values" not found \(graph has: image\)/);
    expect((r as { stdout: string }).stdout).toMatch(/expected \[batch,32\]/);
  });

  it('tags: photos get colour tags, albums summarised, custom tags added and removed', async () => {
    await cli(['tags', 'apply']);
    // An album of mostly blue photos is summarised as blue (new photos are tagged as indexed).
    const trip = path.join(tmp, 'trip');
    await writeColourSet(trip, ['blue'], 4, 100);
    await writeColourSet(trip, ['red'], 1, 200);
    await cli(['index', trip]);
    const album = JSON.parse((await cli(['tags', 'album', trip, '--json'])).stdout) as { title: string; tags: { name: string }[]; photoCount: number };
    expect(album.photoCount).toBe(5);
    expect(album.tags[0].name).toBe('蓝色');
    expect(album.title).toContain('蓝色');
    const redTags = JSON.parse((await cli(['tags', 'photo', path.join(photos, 'red-1.jpg'), '--json'])).stdout) as { name: string }[];
    expect(redTags.map((t) => t.name)).toContain('红色');
    const added = await cli(['tags', 'add', '蓝色的东西']);
    expect(added.stdout).toMatch(/added 蓝色的东西: 7 photos/);
    const blueHits = JSON.parse((await cli(['search', '照片', '--tag', '蓝色的东西', '--json'])).stdout) as { path: string }[];
    expect(blueHits).toHaveLength(7);
    expect(blueHits.every((h) => path.basename(h.path).startsWith('blue-'))).toBe(true);
    expect((await cli(['tags', 'remove', '蓝色的东西'])).stdout).toMatch(/removed/);
    const list = JSON.parse((await cli(['tags', 'list', '--json'])).stdout) as { name: string }[];
    expect(list.some((t) => t.name === '蓝色的东西')).toBe(false);
  }, 240_000);

  it('eval zeroshot scores coloured images whose right answer is known', async () => {
    const names: ColourName[] = ['red', 'green', 'blue', 'white'];
    const labels = { photos: names.flatMap((c) => [1, 2, 3].map((i) => ({ file: `${c}-${i}.jpg`, label_cn: `${COLOURS[c].zh}色` }))) };
    const file = path.join(tmp, 'labels.json');
    fs.writeFileSync(file, JSON.stringify(labels));
    const out = JSON.parse((await cli(['eval', 'zeroshot', '--images', photos, '--labels', file, '--json'])).stdout);
    expect(out).toMatchObject({ images: 12, classes: 4, top1: 1, top5: 1 });
  });
});
