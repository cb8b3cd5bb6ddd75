import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTaxonomyPath, loadTaxonomy, parseTaxonomy, tagNames } from '../../electron/engine/tags/taxonomy.ts';
import { colourTaxonomyJson } from './tags-fakes.ts';

const taxonomy = loadTaxonomy();
const officialFile = path.resolve('../shared/cn-clip/prompt_templates.json');

describe('the shipped taxonomy', () => {
  it('has at least 300 tags', () => {
    expect(taxonomy.tags.length).toBeGreaterThanOrEqual(300);
  });

  it('has unique ids, and no Chinese name or synonym shared by two tags', () => {
    expect(new Set(taxonomy.tags.map((t) => t.id)).size).toBe(taxonomy.tags.length);
    const names = taxonomy.tags.flatMap(tagNames);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every tag a Chinese and an English name', () => {
    for (const t of taxonomy.tags) {
      expect(t.zh, t.id).toMatch(/\p{Script=Han}/u);
      expect(t.en.trim(), t.id).not.toBe('');
    }
  });

  it('uses every family, and only known ones', () => {
    const families = new Set(taxonomy.families.map((f) => f.id));
    const used = new Set(taxonomy.tags.map((t) => t.family));
    expect([...used].filter((f) => !families.has(f))).toEqual([]);
    expect([...families].filter((f) => !used.has(f))).toEqual([]);
  });

  it('covers the families a photo library needs', () => {
    for (const name of ['海边', '日落', '春天', '猫', '柯基', '火锅', '自拍', '婚礼', '截图', '发票', '二维码', '水墨画', '汽车', '樱花']) {
      expect(taxonomy.tags.some((t) => t.zh === name), name).toBe(true);
    }
  });

  it('puts {c} in every template, and takes templates only from the official evaluation', () => {
    const official = new Set(Object.values((JSON.parse(fs.readFileSync(officialFile, 'utf8')) as { templates: Record<string, string[]> }).templates).flat());
    const all = [...taxonomy.customTemplates, ...taxonomy.families.flatMap((f) => f.templates)];
    for (const t of all) {
      expect(t).toContain('{c}');
      expect(official.has(t), t).toBe(true);
    }
  });

  it('keeps art-only wording out of document templates', () => {
    const docs = taxonomy.families.find((f) => f.id === 'document')!;
    for (const bad of ['纹身', '雕塑', '折纸', '毛绒玩具', '刺绣']) expect(docs.templates.join()).not.toContain(bad);
  });
});

describe('taxonomy validation', () => {
  const base = colourTaxonomyJson() as { tags: Record<string, unknown>[]; families: Record<string, unknown>[] };
  const variant = (edit: (t: typeof base) => void): unknown => {
    const copy = structuredClone(base);
    edit(copy);
    return copy;
  };

  it('accepts a valid taxonomy', () => {
    expect(parseTaxonomy(base).tags).toHaveLength(9);
  });

  it.each([
    ['a duplicate id', (t: typeof base) => (t.tags[1]!.id = t.tags[0]!.id), /duplicate tag id/],
    ['a duplicate name', (t: typeof base) => (t.tags[1]!.zh = t.tags[0]!.zh), /duplicate tag name/],
    ['a synonym equal to another name', (t: typeof base) => (t.tags[1]!.synonyms = [t.tags[0]!.zh as string]), /duplicate tag name/],
    ['an unknown family', (t: typeof base) => (t.tags[0]!.family = 'nope'), /unknown family/],
    ['a template without {c}', (t: typeof base) => (t.families[0]!.templates = ['一张照片']), /\{c\}/],
    ['a missing English name', (t: typeof base) => delete t.tags[0]!.en, /en/],
    ['a family without tags', (t: typeof base) => t.families.push({ id: 'empty', zh: '空', en: 'Empty', templates: ['{c}'] }), /has no tags/],
    ['a non-ascii id', (t: typeof base) => (t.tags[0]!.id = '红'), /id/],
  ])('rejects %s', (_, edit, message) => {
    expect(() => parseTaxonomy(variant(edit))).toThrow(message);
  });
});

describe('defaultTaxonomyPath', () => {
  const saved = process.env.SHIGUANG_RESOURCES;
  afterEach(() => {
    if (saved === undefined) delete process.env.SHIGUANG_RESOURCES;
    else process.env.SHIGUANG_RESOURCES = saved;
  });

  it('finds resources/tags/taxonomy.json in the repository', () => {
    delete process.env.SHIGUANG_RESOURCES;
    expect(defaultTaxonomyPath()).toBe(path.resolve('resources/tags/taxonomy.json'));
  });

  it('follows SHIGUANG_RESOURCES (the packaged app)', () => {
    process.env.SHIGUANG_RESOURCES = '/opt/shiguang/resources';
    expect(defaultTaxonomyPath()).toBe(path.join('/opt/shiguang/resources', 'tags', 'taxonomy.json'));
  });
});
