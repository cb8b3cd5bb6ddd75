/**
 * The Chinese tag taxonomy (resources/tags/taxonomy.json): families with their prompt templates,
 * and tags with display names and synonyms. Loaded once, validated strictly: a broken taxonomy
 * would silently degrade every photo's tags, so it fails loudly at load instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const PLACEHOLDER = '{c}';

const template = z.string().refine((t) => t.includes(PLACEHOLDER), { message: `template must contain ${PLACEHOLDER}` });
const zhText = z.string().trim().min(1).max(40);

const familySchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  zh: zhText,
  en: z.string().trim().min(1),
  templates: z.array(template).min(1),
});

const tagSchema = z.object({
  /** Stable ascii slug: stored assignments and caches key on it, so never rename one. */
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  zh: zhText,
  en: z.string().trim().min(1),
  family: z.string(),
  synonyms: z.array(zhText).optional(),
});

const taxonomySchema = z
  .object({
    version: z.number().int().positive(),
    note: z.string().optional(),
    /** Templates for tags people add themselves ("我家的橘猫"): no family, so generic wording. */
    customTemplates: z.array(template).min(1),
    families: z.array(familySchema).min(1),
    tags: z.array(tagSchema).min(1),
  })
  .superRefine((tax, ctx) => {
    const dup = (values: string[], what: string): void => {
      const seen = new Set<string>();
      for (const v of values) {
        if (seen.has(v)) ctx.addIssue({ code: 'custom', message: `duplicate ${what}: ${v}` });
        seen.add(v);
      }
    };
    dup(tax.families.map((f) => f.id), 'family id');
    dup(tax.tags.map((t) => t.id), 'tag id');
    // A name or synonym shared by two tags would give them near-identical vectors that split
    // every photo's probability between them.
    dup(tax.tags.flatMap((t) => [t.zh, ...(t.synonyms ?? [])]), 'tag name or synonym');
    const families = new Set(tax.families.map((f) => f.id));
    for (const t of tax.tags) {
      if (!families.has(t.family)) ctx.addIssue({ code: 'custom', message: `tag ${t.id}: unknown family ${t.family}` });
    }
    for (const f of tax.families) {
      dup(f.templates, `template in family ${f.id}`);
      if (!tax.tags.some((t) => t.family === f.id)) ctx.addIssue({ code: 'custom', message: `family ${f.id} has no tags` });
    }
  });

export type TagFamily = z.infer<typeof familySchema>;
export type TaxonomyTag = z.infer<typeof tagSchema>;
export type Taxonomy = z.infer<typeof taxonomySchema>;

/** resources/ next to the code (dev, tests) or wherever the packaged app says (SHIGUANG_RESOURCES). */
export function defaultTaxonomyPath(): string {
  const resources = process.env.SHIGUANG_RESOURCES ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources');
  return path.join(resources, 'tags', 'taxonomy.json');
}

export function parseTaxonomy(data: unknown): Taxonomy {
  const result = taxonomySchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid tag taxonomy:\n  ${issues.join('\n  ')}`);
  }
  return result.data;
}

export function loadTaxonomy(file: string = defaultTaxonomyPath()): Taxonomy {
  return parseTaxonomy(JSON.parse(fs.readFileSync(file, 'utf8')) as unknown);
}

export function fillTemplate(template: string, name: string): string {
  return template.split(PLACEHOLDER).join(name);
}

/** All names a tag is prompted with: its display name first, then its synonyms. */
export function tagNames(tag: Pick<TaxonomyTag, 'zh' | 'synonyms'>): string[] {
  return [tag.zh, ...(tag.synonyms ?? [])];
}

export function familyTemplates(tax: Taxonomy, familyId: string): string[] {
  const family = tax.families.find((f) => f.id === familyId);
  if (!family) throw new Error(`unknown tag family: ${familyId}`);
  return family.templates;
}
