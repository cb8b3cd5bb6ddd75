/**
 * Zero-shot tags as a registered per-photo pass. A photo is owed until it is tagged with the
 * serving model and the current taxonomy (the state version says which; TagService records it in
 * the same transaction as the tags). The tag prompts are this pass's preparation: thousands of
 * prompts through the text tower, minutes on a laptop — made in the background by long-running
 * processes while nothing waits to be embedded, or when a command asks (`index --tags`,
 * `tags apply`, `tags add`). Fresh vectors from the indexer are tagged at once when the prompts
 * exist (onEmbedded), so the catch-up rarely has anything left.
 */
import type { PassWait } from '../../shared/api.ts';
import type { PassContext, PassCounts, PassItem, PassReport, PhotoPass } from '../passes/pass.ts';
import type { VectorBatch } from '../store/vector-repository.ts';
import { TAGS_PASS, type TagService } from './service.ts';
import type { TagPassState } from './types.ts';

export interface TagsPassOptions {
  /** Zero-shot tagging of new photos (off for one-shot commands that must not write tags). */
  enabled: () => boolean;
}

export class TagsPass implements PhotoPass {
  readonly name = TAGS_PASS;
  readonly priority = 10;
  readonly batchSize = 1024;
  readonly usesVectors = true;
  private tagged = 0;

  constructor(
    private readonly tags: TagService,
    private readonly state: TagPassState & { counts(pass: string, version: string): PassCounts },
    private readonly opts: TagsPassOptions,
  ) {}

  counts(): PassCounts {
    return this.state.counts(this.name, this.tags.stateVersion());
  }

  owed(limit: number, afterId: number): PassItem[] {
    return this.state.owed(this.name, this.tags.stateVersion(), limit, afterId) as PassItem[];
  }

  blocked(): PassWait | null {
    if (!this.opts.enabled()) return 'off';
    return this.tags.isReady() ? null : 'needs-preparation';
  }

  async prepare(ctx: PassContext, onProgress: (done: number, total: number) => void): Promise<void> {
    await this.tags.ensureTagVectors({
      onProgress,
      // Each batch of prompts waits for the indexer, and stops when the pass is stopped.
      beforeBatch: async () => {
        if (ctx.signal.aborted) throw new Error('stopped');
        await ctx.yieldTo();
      },
    });
  }

  async run(batch: PassItem[], ctx: PassContext): Promise<void> {
    const r = await this.tags.tagPhotos(batch.map((p) => p.id));
    this.tagged += r.photos;
    ctx.completed(batch.length);
  }

  async onEmbedded(batch: VectorBatch): Promise<void> {
    await this.tags.tagBatch(batch);
  }

  report(): PassReport | null {
    const n = this.tagged;
    this.tagged = 0;
    return n > 0 ? { text: `tagged ${n} photos`, counts: { photos: n } } : null;
  }
}
