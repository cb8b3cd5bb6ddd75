/**
 * Byte-identical copies among the photos waiting for a vector. Reconcile gives a new copy of an
 * *indexed* photo its twin's vector; copies that arrive together — a first scan of a library with
 * a backup folder inside, the same export in two roots — were each encoded. Here the first photo
 * of each content (its SHA-256) is encoded and the others wait for its vector.
 */
import type { PipelineItem } from './encode-pipeline.ts';

export class IdenticalCopies {
  /** The photos to encode: one per known content, and every photo whose content is not known yet. */
  readonly leaders: PipelineItem[] = [];
  private readonly waiting = new Map<string, PipelineItem[]>();

  constructor(items: readonly PipelineItem[]) {
    const seen = new Set<string>();
    for (const item of items) {
      // A changed file's hash was cleared by reconcile: its content is known only once it is read.
      if (!item.hash) {
        this.leaders.push(item);
      } else if (!seen.has(item.hash)) {
        seen.add(item.hash);
        this.leaders.push(item);
      } else {
        const list = this.waiting.get(item.hash) ?? [];
        list.push(item);
        this.waiting.set(item.hash, list);
      }
    }
  }

  /** The copies waiting for this content's vector; they are the caller's from now on. */
  take(hash: string): PipelineItem[] {
    const list = this.waiting.get(hash) ?? [];
    this.waiting.delete(hash);
    return list;
  }

  /**
   * Copies whose leader got no vector (it could not be read, or vanished as it was read): each is
   * encoded on its own, since what failed may have been that one file's path, not the content.
   */
  unclaimed(): PipelineItem[] {
    const rest = [...this.waiting.values()].flat();
    this.waiting.clear();
    return rest;
  }
}
