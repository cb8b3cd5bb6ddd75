/**
 * Text queries over recognised text: the query in the search normal form, matched as a substring
 * of each photo's text; a query of several words (split at spaces) that does not occur as one
 * also matches photos holding every word. Each hit carries the line(s) that matched, as
 * recognised, with the matched range — for the results grid and `search --json`.
 */
import type { OcrLineRecord } from '../store/ocr-text.ts';
import type { PhotoQuery } from '../store/photo-filter.ts';
import type { Library } from '../store/library.ts';
import { charCount, normaliseText, normaliseWithOrigins } from './normalise-text.ts';

export interface TextSnippet {
  /** The matching line, or the lines the match runs across joined by a space, as recognised. */
  text: string;
  /** UTF-16 range of the match in `text` (the first word's, for an all-words match). */
  start: number;
  end: number;
  /** Indexes of the lines in the photo's reading order. */
  lines: number[];
}

export interface TextSearchHit {
  photoId: number;
  /** The whole query occurs in the photo's text (not only its words one by one). */
  exact: boolean;
  /** Share of the photo's text the query covers: the store's ranking key. */
  share: number;
  snippet: TextSnippet | null;
}

/** Distinct normalised words of a query; one entry when it has no spaces. */
export function queryTerms(query: string): string[] {
  const terms = query.split(/\s+/u).map(normaliseText).filter((t) => t.length > 0);
  return [...new Set(terms)];
}

/**
 * Ranked text hits: whole-query matches first (by share), then all-words matches. `limit` bounds
 * each list; words of one character are ignored when matching word by word (too unspecific).
 * Snippets are left out (null) unless asked for: a caller showing one page of a longer list
 * attaches them to that page only (attachSnippets).
 */
export function searchText(lib: Library, query: string, limit: number, filter: PhotoQuery = {}, opts: { snippets?: boolean } = {}): TextSearchHit[] {
  const whole = normaliseText(query);
  if (whole.length === 0) return [];
  const exact = lib.ocrText.search(whole, limit, filter);
  const hits: TextSearchHit[] = exact.map((h) => ({ photoId: h.photoId, exact: true, share: h.share, snippet: null }));
  const terms = queryTerms(query).filter((t) => charCount(t) >= 2);
  if (terms.length >= 2) {
    const seen = new Set(hits.map((h) => h.photoId));
    // Photos holding every word, the whole query's matches left out: as many more as could show.
    const words = lib.ocrText.searchAllWords(terms, Math.max(0, limit - hits.length) + seen.size, filter);
    for (const { photoId } of words) if (!seen.has(photoId)) hits.push({ photoId, exact: false, share: 0, snippet: null });
  }
  const out = hits.slice(0, Math.max(0, limit));
  return opts.snippets === false ? out : attachSnippets(lib, query, out);
}

/** Fills in each hit's snippet: where the whole query (or, for a words match, its first word) is. */
export function attachSnippets<T extends { photoId: number; exact: boolean; snippet: TextSnippet | null }>(lib: Library, query: string, hits: T[]): T[] {
  const whole = normaliseText(query);
  const first = queryTerms(query).find((t) => charCount(t) >= 2) ?? whole;
  const lines = lib.ocrText.lineTextsMany(hits.map((h) => h.photoId));
  for (const h of hits) h.snippet = snippetFor((lines.get(h.photoId) ?? []).map((text) => ({ text })), h.exact ? whole : first);
  return hits;
}

/** Where `norm` first occurs in the photo's lines (joined without separators, as indexed). */
export function snippetFor(lines: readonly Pick<OcrLineRecord, 'text'>[], norm: string): TextSnippet | null {
  if (!norm) return null;
  const parts = lines.map((l) => normaliseWithOrigins(l.text));
  const joined = parts.map((p) => p.text).join('');
  const at = joined.indexOf(norm);
  if (at < 0) return null;
  // Which line holds each normalised unit, and where each line's units start.
  const lineOf: number[] = [];
  const lineStart: number[] = [];
  parts.forEach((p, i) => {
    lineStart.push(lineOf.length);
    for (let k = 0; k < p.text.length; k++) lineOf.push(i);
  });
  const first = lineOf[at];
  const last = lineOf[at + norm.length - 1];
  const used = Array.from({ length: last - first + 1 }, (_, k) => first + k);
  // Offsets into the snippet text: lines joined by one space.
  const base: number[] = [];
  let offset = 0;
  for (const i of used) {
    base[i] = offset;
    offset += lines[i].text.length + 1;
  }
  const origin = (unit: number): number => parts[lineOf[unit]].originOf[unit - lineStart[lineOf[unit]]];
  const endUnit = at + norm.length - 1;
  const endLine = lineOf[endUnit];
  const endOrigin = origin(endUnit);
  // The original character the last unit came from may be a surrogate pair.
  const endChar = String.fromCodePoint(lines[endLine].text.codePointAt(endOrigin) ?? 0);
  return {
    text: used.map((i) => lines[i].text).join(' '),
    start: base[first] + origin(at),
    end: base[endLine] + endOrigin + endChar.length,
    lines: used,
  };
}
