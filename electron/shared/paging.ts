/**
 * Search page sizes, shared by the contract (api.ts), the renderer and the benchmarks. Its own
 * module so the renderer can import the values without pulling in the contract's zod schemas.
 */

/** Hits the renderer asks for per page: the first page, then one more per "load more". */
export const UI_PAGE_SIZE = 500;

/** The most hits one search page may hold; more come page by page with `cursor` (no cap on the total). */
export const MAX_PAGE_SIZE = 5000;
