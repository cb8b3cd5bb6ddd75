/** Every distinct prompt of the taxonomy's ensembles (names and synonyms × family templates). */
import { ensemblePrompts } from './ensembles.ts';
import { familyTemplates, loadTaxonomy, tagNames, type Taxonomy } from './taxonomy.ts';

export function allTagPrompts(tax: Taxonomy = loadTaxonomy()): string[] {
  return [...new Set(tax.tags.flatMap((t) => ensemblePrompts(tagNames(t), familyTemplates(tax, t.family))))];
}

/** `n` prompts spread evenly over the list (deterministic), or all of them when n ≥ the count. */
export function spreadSample<T>(items: readonly T[], n: number): T[] {
  if (n >= items.length) return [...items];
  if (n <= 0) return [];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}
