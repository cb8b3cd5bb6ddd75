import { describe, expect, it } from 'vitest';
import { dateSpanLabel, dominantTags, parseYearMonth, pickCover, seasonOf, summariseAlbum, type AlbumPhoto } from '../../electron/engine/tags/albums.ts';
import type { PhotoTags } from '../../electron/engine/tags/classify.ts';
import { ensureEnsembles, MemoryVectorCache } from '../../electron/engine/tags/ensembles.ts';
import { classifySource } from '../../electron/engine/tags/pass.ts';
import { TagScorer } from '../../electron/engine/tags/scorer.ts';
import { parseTaxonomy } from '../../electron/engine/tags/taxonomy.ts';
import { axis, colourTaxonomyJson, ColourEmbedder, DIM, mix } from './tags-fakes.ts';

const photo = (tags: [string, number][], takenAt: AlbumPhoto['takenAt'] = null, family?: string): AlbumPhoto => ({
  tags: tags.map(([name, score]) => ({ name, score, ...(family ? { family } : {}) })),
  takenAt,
});

describe('album summaries', () => {
  it('summarises an album of mostly blue photos as blue, from real classification', async () => {
    const tax = parseTaxonomy(colourTaxonomyJson());
    const specs = tax.tags.map((t) => ({ key: t.id, names: [t.zh], templates: tax.families[0]!.templates }));
    const { vectors } = await ensureEnsembles(new ColourEmbedder(), specs, new MemoryVectorCache());
    const matrix = new Float32Array(specs.length * DIM);
    specs.forEach((s, i) => matrix.set(vectors.get(s.key)!, i * DIM));
    // 7 blue photos (some with a little white), 2 red, 1 green.
    const rows = [...Array.from({ length: 7 }, (_, i) => mix([4, 1], [7, i * 0.05])), axis(0), axis(0), axis(3)];
    const ids = Int32Array.from(rows, (_, i) => i + 1);
    const flat = new Float32Array(rows.length * DIM);
    rows.forEach((r, i) => flat.set(r, i * DIM));
    const results: PhotoTags[] = [];
    await classifySource(() => [{ ids, vectors: flat }], new TagScorer(matrix, DIM), 9, { logitScale: 100 }, (p) => void results.push(...p));

    const album = results.map((r, i) => ({
      tags: r.tags.map((t) => ({ name: tax.tags[t.tag]!.zh, score: t.probability })),
      takenAt: `2023-07-${String(i + 1).padStart(2, '0')}T10:00:00`,
    }));
    const summary = summariseAlbum(album);
    expect(summary.tags[0]!.name).toBe('蓝色');
    expect(summary.tags[0]!.coverage).toBeCloseTo(0.7, 6);
    expect(summary.title).toBe('蓝色 · 红色 · 2023年夏');
    expect(summary.tags.map((t) => t.name)).not.toContain('绿色'); // 10% coverage < 20%
  });

  it('weights by confidence and coverage, counting a tag once per photo', () => {
    const tags = dominantTags([photo([['海边', 0.9], ['海边', 0.9]]), photo([['海边', 0.5], ['日落', 0.95]]), photo([['日落', 0.6]]), photo([])], 0.2);
    expect(tags.map((t) => [t.name, +t.weight.toFixed(4), t.coverage])).toEqual([
      ['日落', 0.3875, 0.5],
      ['海边', 0.35, 0.5],
    ]);
  });

  it('requires a minimum coverage', () => {
    const photos = [photo([['火锅', 0.99]]), ...Array.from({ length: 9 }, () => photo([['山', 0.3]]))];
    expect(dominantTags(photos, 0.2).map((t) => t.name)).toEqual(['山']);
    expect(dominantTags(photos, 0.1).map((t) => t.name)).toEqual(['山', '火锅']);
  });

  it('leaves season tags out of the title when the date already says the season', () => {
    const photos = [photo([['海边', 0.8]], '2023-07-01'), photo([['夏天', 0.9]], '2023-08-01', 'time'), photo([['日落', 0.7]], '2023-07-02')];
    photos[1]!.tags.push({ name: '海边', score: 0.8 });
    expect(summariseAlbum(photos, { minCoverage: 0.3 }).title).toBe('海边 · 日落 · 2023年夏');
  });

  it('falls back to the given title when nothing is known', () => {
    expect(summariseAlbum([photo([])], { fallbackTitle: 'DCIM' }).title).toBe('DCIM');
    expect(summariseAlbum([], { fallbackTitle: 'empty' })).toMatchObject({ title: 'empty', photoCount: 0, tags: [] });
  });
});

describe('album covers', () => {
  const withId = (id: number, tags: [string, number][], takenAt: AlbumPhoto['takenAt'] = null): AlbumPhoto => ({ ...photo(tags, takenAt), id });

  it('the photo with the most of the album\'s dominant tags, by their weight in the album', () => {
    const photos = [withId(1, [['海边', 0.5]], '2023-07-03T10:00:00'), withId(2, [['海边', 0.7], ['日落', 0.8]], '2023-07-01T10:00:00'), withId(3, [['猫', 0.99]], '2023-07-09T10:00:00')];
    expect(pickCover(photos, [{ name: '海边', weight: 0.4 }, { name: '日落', weight: 0.27 }])).toBe(2);
    expect(summariseAlbum(photos).cover).toBe(2);
    // Four blue photos and the newest, a red one: the album is blue, so is its cover.
    const blue = [1, 2, 3, 4].map((id) => withId(id, [['蓝色', 0.97]], `2023-07-0${id}T10:00:00`));
    expect(summariseAlbum([...blue, withId(5, [['红色', 0.99]], '2023-07-09T10:00:00')]).cover).toBe(4);
  });

  it('the newest among equals, and when no tag says anything (EXIF-style, ISO and Unix ms times)', () => {
    const photos = [withId(1, [], '2021:05:01 10:00:00'), withId(2, [], '2023-01-01T00:00:00'), withId(3, [], null), withId(4, [], new Date(2022, 0, 1).getTime())];
    expect(pickCover(photos, [])).toBe(2);
    expect(pickCover([withId(5, [], null), withId(9, [], null)], [])).toBe(9);
  });

  it('none without ids or photos', () => {
    expect(pickCover([], [])).toBeNull();
    expect(summariseAlbum([photo([['海边', 0.9]])]).cover).toBeNull();
  });
});

describe('date spans', () => {
  it('maps months to Chinese seasons', () => {
    expect([1, 2, 3, 5, 6, 8, 9, 11, 12].map(seasonOf).join('')).toBe('冬冬春春夏夏秋秋冬');
  });

  it.each([
    [['2023-06-02', '2023-08-30T22:00:00'], '2023年夏'],
    [['2023:03:01 08:00:00', '2023:05:31 08:00:00'], '2023年春'],
    [['2023-12-20', '2024-02-10'], '2023–2024年冬'],
    [['2024-01-05', '2024-02-10'], '2024年冬'],
    [['2023-02-20', '2023-12-01'], '2023年'],
    [['2023-05-31', '2023-06-01'], '2023年'],
    [['2019-05-01', '2023-06-01', null], '2019–2023年'],
    [[null, 'not a date'], null],
    [[], null],
  ])('%j → %s', (dates, label) => {
    expect(dateSpanLabel(dates)).toBe(label);
  });

  it('ignores a few outliers in a large album', () => {
    const dates = [...Array.from({ length: 40 }, (_, i) => `2023-07-${String((i % 28) + 1).padStart(2, '0')}`), '2009-01-01'];
    expect(dateSpanLabel(dates)).toBe('2023年夏');
    expect(dateSpanLabel(dates.slice(-5))).toBe('2009–2023年'); // too few photos to call one an outlier
  });

  it('reads strings as wall-clock time and Unix ms in local time', () => {
    expect(parseYearMonth('2023-12-31T23:30:00+14:00')).toEqual({ year: 2023, month: 12 });
    const ms = new Date(2023, 11, 31, 23, 30).getTime();
    expect(parseYearMonth(ms)).toEqual({ year: 2023, month: 12 });
    expect(parseYearMonth('2023-13-01')).toBeNull();
  });
});
