/**
 * One streamed pass over stored vectors: page by page through the scorer and the classifier,
 * handing each page's results to a sink (the store write). Yields to the event loop between
 * pages so a long re-tag of the library never starves queries served by the same process.
 */
import { classifyPage, resolveOptions, type ClassifyOptions, type PhotoTags } from './classify.ts';
import { TagScorer } from './scorer.ts';
import type { VectorBatch, VectorSource } from './types.ts';

export interface PassResult {
  photos: number;
}

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function checkBatch(batch: VectorBatch, dim: number): void {
  if (batch.vectors.length !== batch.ids.length * dim) {
    throw new Error(`vector batch has ${batch.vectors.length} floats for ${batch.ids.length} ids of dim ${dim}`);
  }
}

/**
 * Tags every photo the source yields. `taxonomyCount` leading rows of the scorer's matrix are
 * the taxonomy (they share one softmax); the rest are custom tags.
 */
export async function classifySource(
  source: VectorSource,
  scorer: TagScorer,
  taxonomyCount: number,
  options: ClassifyOptions,
  sink: (page: PhotoTags[]) => void | Promise<void>,
): Promise<PassResult> {
  const o = resolveOptions(options);
  let photos = 0;
  for await (const batch of source()) {
    checkBatch(batch, scorer.dim);
    for (let from = 0; from < batch.ids.length; from += TagScorer.pageRows) {
      const rows = Math.min(TagScorer.pageRows, batch.ids.length - from);
      const scores = await scorer.score(batch.vectors, from, rows, { count: taxonomyCount, logitScale: o.logitScale });
      const page = classifyPage(scorer, scores, batch.ids, from, taxonomyCount, o);
      await sink(page);
      photos += rows;
      await yieldToEventLoop();
    }
  }
  return { photos };
}
