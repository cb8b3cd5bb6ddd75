/**
 * What a result tile says about how well it matches. Searches give each hit a relevance on one
 * scale for text and visual matches (0–1, 0.5 at the boundary; shown as a percentage, which does
 * not rise down the list); lists without it (older engines) show the cosine as before.
 */
import type { PhotoHit } from '../../../electron/shared/api.ts';
import { formatScore } from './format.ts';

export function relevancePercent(relevance: number): string {
  return `${Math.round(Math.min(1, Math.max(0, relevance)) * 100)}%`;
}

/** The tile's number and which label goes with it ('hit.relevance' or the old 'viewer.score'). */
export function hitScore(hit: Pick<PhotoHit, 'score' | 'relevance'>): { text: string; relevance: boolean } {
  return hit.relevance === undefined ? { text: formatScore(hit.score), relevance: false } : { text: relevancePercent(hit.relevance), relevance: true };
}

/** A hit below the relevance boundary (behind "show more"). */
export const isWeaker = (hit: Pick<PhotoHit, 'relevant'>): boolean => hit.relevant === false;
