/**
 * Stacks as a registered per-photo pass: each new photo is placed among the pictures whose
 * perceptual hash is near its own and those taken in the same seconds (never compared with all),
 * its stack is rewritten, and the photo is done. The grouping lives in memory while the engine
 * runs (stacks/grouper.ts): the first batch loads it — the stored groups taken back as they were,
 * or grouped from scratch when the model or the thresholds changed (the version says which).
 *
 * - A photo indexed before fingerprints existed gets them here (media/fingerprint-file.ts: the
 *   indexer's decode, on its own), read through the same library bounds as the indexer.
 * - A content no photo holds any more leaves its groups (store triggers queue it, and make its
 *   stack mates owed again, so the pass runs and their stack is rewritten).
 * - The person's "not the same" regroups the stacks concerned, here, under the new decision.
 *
 * Reads the serving model's vectors (confirmation by the embedding): paused during a model switch,
 * after which the version changes and the stacks are grouped again (decisions stay: content-keyed).
 */
import type { PassWait } from '../../shared/api.ts';
import { LibraryBounds } from '../library/link-policy.ts';
import { readCaptureDetails } from '../media/capture-details.ts';
import { DecodeError } from '../media/errors.ts';
import { fingerprintFile } from '../media/fingerprint-file.ts';
import { StatePass, type PassContext, type PassItem, type PassReport } from '../passes/pass.ts';
import type { Library } from '../store/library.ts';
import type { StackPhotoFacts } from '../store/picture-facts.ts';
import type { VectorRepository } from '../store/vector-repository.ts';
import type { Logger } from '../util/log.ts';
import { heldPicture, loadGrouping, type LoadedGrouping } from './stack-loader.ts';
import { writeStacks } from './stack-writer.ts';
import type { StackThresholds } from './relations.ts';
import { thresholdsKey } from './thresholds.ts';
import { VectorCache } from './vector-cache.ts';

export const STACKS_PASS = 'stacks';
/** Bump when what the pass stores changes meaning (2: the cover rule prefers an original's name to a copy's). */
const ALGORITHM = 2;
/** Where the version the stored stacks were grouped with is kept (library settings). */
const BUILT_KEY = 'stacks.groupedWith';

export interface StacksPassDeps {
  lib: Library;
  /** The serving model's stored vectors. */
  vectors: () => VectorRepository;
  /** The thresholds for the serving model (its calibrated cosines, stacks/thresholds.ts). */
  thresholds: () => StackThresholds;
  log: Logger;
}

interface Session extends LoadedGrouping {
  version: string;
  cache: VectorCache;
  vectors: VectorRepository;
}

export class StacksPass extends StatePass {
  readonly name = STACKS_PASS;
  /** Before OCR (seconds a photo): stacks of a new batch show within moments. */
  readonly priority = 15;
  readonly batchSize = 1024;
  readonly usesVectors = true;
  private session: Session | null = null;
  private placed = 0;

  constructor(private readonly d: StacksPassDeps) {
    super(d.lib);
  }

  protected version(): string {
    return `${ALGORITHM}|${this.d.vectors().model.modelKey}|${thresholdsKey(this.d.thresholds())}`;
  }

  blocked(): PassWait | null {
    return null;
  }

  async run(batch: PassItem[], ctx: PassContext): Promise<void> {
    const { session: s, built } = await this.ensure(ctx, batch);
    this.followDecisions(s);
    this.dropGone(s);
    const changed = new Set<number>(s.grouper.takeChanges());
    const facts = this.d.lib.pictureFacts.ofPhotos(batch.map((b) => b.id));
    const unknown = facts.filter((f) => !f.facts);
    if (unknown.length > 0) await this.fingerprint(unknown, ctx);
    // Grouped from scratch just now: what had facts is placed and written already.
    const seen = new Set<string>(built ? facts.filter((f) => !unknown.includes(f)).map((f) => f.hash) : []);
    for (const f of facts) {
      if (ctx.signal.aborted) return;
      if (!f.facts || seen.has(f.hash)) continue;
      seen.add(f.hash);
      if (this.isPlaced(s, f.hash)) {
        // Already in a stack (a mate of a photo that left, or another copy of it): rewrite that stack.
        changed.add(s.grouper.unitIdOf(f.hash)!);
        continue;
      }
      const vector = s.vectors.get(f.id) ?? null;
      if (vector) s.cache.remember(f.hash, vector);
      s.grouper.insert(heldPicture(f)!);
      this.placed++;
    }
    for (const id of s.grouper.takeChanges()) changed.add(id);
    // The batch's stacks and its photos' state in one transaction (one commit a batch).
    this.d.lib.transaction(() => {
      writeStacks(this.d.lib, s.grouper, changed);
      this.markDone(facts.filter((f) => f.facts).map((f) => f.id));
    });
    ctx.completed(batch.length);
  }

  report(): PassReport | null {
    const n = this.placed;
    this.placed = 0;
    if (n === 0) return null;
    const stacks = this.d.lib.stacks.count();
    return { text: `grouped ${n} pictures; ${stacks} stacks`, counts: { pictures: n, stacks } };
  }

  /**
   * The grouping for the current version, kept while the engine runs (no release(): loading it
   * again costs seconds at 100k photos and every new photo needs it). A grouping from scratch
   * writes every stack and marks its photos done (`built`).
   */
  private async ensure(ctx: PassContext, batch: PassItem[]): Promise<{ session: Session; built: boolean }> {
    const version = this.version();
    const vectors = this.d.vectors();
    if (this.session?.version === version && this.session.vectors === vectors) return { session: this.session, built: false };
    this.session = null;
    const lib = this.d.lib;
    const fromScratch = lib.settings.get<string>(BUILT_KEY) !== version;
    const cache = new VectorCache((id) => vectors.get(id), (hash) => lib.pictureFacts.firstHolder(hash));
    const t0 = performance.now();
    const loaded = await loadGrouping(lib, this.d.thresholds(), cache, { fromScratch, signal: ctx.signal, yieldTo: ctx.yieldTo });
    const s: Session = { ...loaded, version, cache, vectors };
    if (fromScratch) {
      // Every stack is written anew; each content held by one photo alone is no stack and needs no row.
      const ids = loaded.grouper.takeChanges().filter((id) => {
        const g = loaded.grouper.shownGroup(id);
        return g !== null && (g.kind === 'burst' || g.units[0]!.keys.length > 1 || loaded.multi.has(g.units[0]!.keys[0]!));
      });
      lib.transaction(() => {
        lib.stacks.clear();
        writeStacks(lib, loaded.grouper, ids);
        lib.settings.set(BUILT_KEY, version);
      });
      lib.stackDecisions.takeGone();
      this.markDone(loaded.photoIds);
      this.placed += loaded.grouper.size;
      this.d.log.debug(`stacks: grouped ${loaded.grouper.size} pictures from scratch in ${Math.round(performance.now() - t0)} ms (${lib.stacks.count()} stacks)`);
      ctx.completed(Math.max(0, loaded.photoIds.length - batch.length));
    }
    this.session = s;
    return { session: s, built: fromScratch };
  }

  /** In a near group or a burst already (placed before); a picture alone is placed again, which is cheap and harmless. */
  private isPlaced(s: Session, hash: string): boolean {
    return s.grouper.stackOf(hash) !== null;
  }

  /** Decisions made since the grouping was loaded: their stacks are regrouped under them. */
  private followDecisions(s: Session): void {
    const latest = this.d.lib.stackDecisions.latestSeparation();
    if (latest <= s.decisionsAt) return;
    const keys = new Set<string>();
    for (const [a, b] of this.d.lib.stackDecisions.separationsSince(s.decisionsAt)) {
      s.seps.add(a, b);
      keys.add(a);
      keys.add(b);
    }
    s.decisionsAt = latest;
    s.grouper.regroup([...keys]);
  }

  /** Contents no photo holds any more leave the grouping. */
  private dropGone(s: Session): void {
    const gone = this.d.lib.stackDecisions.takeGone();
    if (gone.length === 0) return;
    const held = this.d.lib.stackDecisions.held(gone);
    for (const key of gone) {
      if (held.has(key)) continue;
      s.grouper.remove(key);
      s.cache.forget(key);
    }
  }

  /** Facts for photos indexed before fingerprints existed; a photo that cannot be read is recorded as failed. */
  private async fingerprint(photos: StackPhotoFacts[], ctx: PassContext): Promise<void> {
    const bounds = await LibraryBounds.resolve(this.d.lib.folders.list().map((f) => f.path));
    for (const f of photos) {
      if (ctx.signal.aborted) return;
      await ctx.yieldTo();
      ctx.working(f.path);
      try {
        const file = await bounds.checkReadable(f.path);
        const [fp, capture] = await Promise.all([fingerprintFile(file), readCaptureDetails(file)]);
        const rec = { hash: f.hash, ...fp, subSecMs: capture.subSecMs, uniqueId: capture.imageUniqueId, burstId: capture.burstId };
        this.d.lib.pictureFacts.save(rec);
        f.facts = rec;
      } catch (err) {
        // Gone or replaced meanwhile: the indexer's next pass settles it; the photo stays owed.
        if ((err as { reason?: string }).reason === 'vanished') continue;
        const why = err instanceof DecodeError ? `${err.reason}: ${err.message}` : err instanceof Error ? err.message : String(err);
        this.markFailed(f.id, why);
      }
    }
    ctx.working(null);
  }
}
