/**
 * TagService: zero-shot tags for the library. Keeps the taxonomy's rows and cached prompt
 * vectors in the store, tags photos as the indexer stores their vectors, re-tags the library in
 * one streamed pass, applies and removes custom tags, and summarises albums.
 *
 * Everything that changes the tag matrix or writes assignments runs through one queue, so an
 * indexer batch, a custom tag and a full pass never interleave half-way. All SQL stays in the
 * store's repositories (see TagStore in types.ts).
 */
import crypto from 'node:crypto';
import type { AlbumSummary, TagInfo } from '../../shared/api.ts';
import { apiError } from '../../shared/api.ts';
import type { Logger } from '../util/log.ts';
import { SerialQueue } from '../util/serial-queue.ts';
import type { AlbumSummaryOptions } from './albums.ts';
import { AlbumView } from './album-view.ts';
import type { ClassifyOptions, PhotoTags } from './classify.ts';
import { applyCustomTag, MemoryPartitionCache, normaliseCustomName } from './custom.ts';
import { cachedEnsembles, ensureEnsembles, type EnsembleOptions, type EnsembleSpec, type TagVectorCache } from './ensembles.ts';
import { classifySource } from './pass.ts';
import { TagScorer } from './scorer.ts';
import { familyTemplates, loadTaxonomy, tagNames, type Taxonomy } from './taxonomy.ts';
import type { TagRef, TagStore, TextEmbedder, VectorBatch, VectorRepo } from './types.ts';

export const CUSTOM_FAMILY = 'custom';

/** The tags pass's name in the per-photo pass state. */
export const TAGS_PASS = 'tags';
/** Bump when what a photo's tags mean changes (the classifier, the thresholds): every photo is tagged again. */
const TAGS_VERSION = 1;

export interface TagServiceOptions {
  taxonomy?: Taxonomy;
  /** minProbability / minCosine / maxTags; logitScale always comes from the model. */
  thresholds?: Omit<ClassifyOptions, 'logitScale'>;
  album?: AlbumSummaryOptions & { minPhotos?: number };
  /** Vectors per store page in library-wide passes. */
  pageSize?: number;
  log?: Logger;
}

/** The tag matrix for one model: taxonomy rows first (they share a softmax), custom tags after. */
interface Matrix {
  modelKey: string;
  logitScale: number;
  refs: TagRef[];
  tagIds: number[];
  vectors: Float32Array[];
  taxonomyCount: number;
  scorer: TagScorer;
}

export interface TagRunResult {
  photos: number;
  assigned: number;
}

export class TagService {
  private matrix: Matrix | null = null;
  private readonly partitions = new MemoryPartitionCache();
  private readonly queue = new SerialQueue();
  private readonly taxonomy: Taxonomy;
  private readonly albumView: AlbumView;
  /** Identifies the taxonomy (names, families, templates): another taxonomy makes every photo's tags stale. */
  private readonly taxonomyDigest: string;
  private readonly pageSize: number;
  /** Tags whose vectors the last load() had to encode (0 when all came from the cache). */
  private lastComputed = 0;
  /** The model for which isReady() found prompt vectors missing (cleared by load()). */
  private notReadyFor: string | null = null;

  constructor(
    private readonly store: TagStore,
    /** The active model's vectors; a function because the active model can change. */
    private readonly vectors: () => VectorRepo,
    private readonly embedder: () => TextEmbedder,
    private readonly options: TagServiceOptions = {},
  ) {
    this.taxonomy = options.taxonomy ?? loadTaxonomy();
    const familyByName = new Map(this.taxonomy.tags.map((t) => [t.zh, t.family]));
    this.albumView = new AlbumView(store, familyByName, CUSTOM_FAMILY, options.album);
    this.taxonomyDigest = crypto.createHash('sha256').update(JSON.stringify(this.taxonomy)).digest('base64url').slice(0, 12);
    this.pageSize = options.pageSize ?? 2048;
  }

  /**
   * Loads or computes every tag's vector for the current model (cached in the store). The first
   * time for a model this encodes thousands of prompts: `beforeBatch` lets the caller hold it back
   * while photos are being encoded (see Engine).
   */
  ensureTagVectors(opts: EnsembleOptions | ((done: number, total: number) => void) = {}): Promise<{ tags: number; computed: number }> {
    const o = typeof opts === 'function' ? { onProgress: opts } : opts;
    return this.queue.run(async () => {
      const before = this.matrix;
      const m = await this.load(o);
      return { tags: m.refs.length, computed: m === before ? 0 : this.lastComputed };
    });
  }

  /**
   * True when tagging needs no prompt encoding: the matrix is loaded for the current model, or
   * every tag's vector is in the store's cache. Cheap (fingerprints only; no tower is started).
   */
  isReady(): boolean {
    const embedder = this.embedder();
    if (this.matrix && this.matrix.modelKey === embedder.modelKey) return true;
    // Remembered until load() runs: asked for every indexed batch during a first run.
    if (this.notReadyFor === embedder.modelKey) return false;
    const custom = this.store.tags.listTags().filter((t) => t.custom);
    const ready = cachedEnsembles(embedder, this.specs(custom, this.taxonomyIdsIfKnown()), this.vectorCache()).stale.length === 0;
    if (!ready) this.notReadyFor = embedder.modelKey;
    return ready;
  }

  /** The pass-state version of tags made by `modelKey`'s vectors with this taxonomy (photos without it are owed). */
  stateVersion(modelKey = this.embedder().modelKey): string {
    return `${TAGS_VERSION}:${modelKey}:${this.taxonomyDigest}`;
  }

  /**
   * Tags every photo not tagged yet with the current model and taxonomy, encoding the prompts
   * first if needed. Custom tags call this first, so a tag is never judged against a library half
   * tagged (whichever command came first: `index` then `tags add`, the app, `watch`).
   */
  catchUp(): Promise<TagRunResult> {
    return this.queue.run(async () => {
      const m = await this.load();
      const repo = this.checkedVectors(m);
      const total: TagRunResult = { photos: 0, assigned: 0 };
      for (let after = 0; ; ) {
        const owed = this.store.passState.owed(TAGS_PASS, this.stateVersion(m.modelKey), this.pageSize, after);
        if (owed.length === 0) return total;
        after = owed[owed.length - 1]!.id;
        const r = await this.run(m, [this.readBatch(repo, owed.map((o) => o.id))]);
        total.photos += r.photos;
        total.assigned += r.assigned;
      }
    });
  }

  /**
   * Tags photos whose vectors the caller holds, if that needs no prompt encoding; otherwise
   * returns null at once (the photos stay untagged until a full pass after ensureTagVectors).
   */
  async tagBatchIfReady(batch: VectorBatch): Promise<TagRunResult | null> {
    if (!this.isReady()) return null;
    return this.tagBatch(batch);
  }

  /** Tags these photos (the indexer calls this after storing their vectors); all photos when omitted. */
  tagPhotos(photoIds?: readonly number[]): Promise<TagRunResult> {
    if (!photoIds) return this.tagAll();
    return this.queue.run(async () => {
      const m = await this.load();
      return this.run(m, [this.readBatch(this.checkedVectors(m), photoIds)]);
    });
  }

  /** Tags photos whose vectors the caller already holds (saves re-reading them from the store). */
  tagBatch(batch: VectorBatch): Promise<TagRunResult> {
    return this.queue.run(async () => this.run(await this.load(), [batch]));
  }

  /** Re-tags the whole library in one streamed pass. */
  tagAll(): Promise<TagRunResult> {
    return this.queue.run(async () => {
      const m = await this.load();
      const repo = this.checkedVectors(m);
      return this.run(m, repo.iterate(this.pageSize));
    });
  }

  listTags(): TagInfo[] {
    const families = new Map(this.taxonomy.families.map((f) => [f.id, { zh: f.zh, en: f.en }]));
    return this.store.tags.listTags().map((t) => ({
      name: t.name,
      nameEn: t.nameEn,
      family: t.family ?? CUSTOM_FAMILY,
      familyName: (t.family && families.get(t.family)) || null,
      custom: t.custom,
      photoCount: t.photoCount,
    }));
  }

  /**
   * Adds a tag in a person's own words and applies it to the whole library. A name that is
   * already a taxonomy tag is not duplicated: that tag is returned as it is. Photos not tagged
   * yet are tagged first (the prompts prepared if needed), so either answer counts every photo.
   */
  async addCustomTag(name: string): Promise<TagInfo> {
    await this.catchUp();
    return this.queue.run(async () => {
      const m = await this.load();
      const tagName = normaliseCustomName(name);
      const existing = this.store.tags.getTag(tagName);
      if (existing && !existing.custom) return this.info(tagName);
      const id = this.store.tags.upsertTag({ name: tagName, family: null, custom: true });
      const spec: EnsembleSpec = { key: String(id), names: [tagName], templates: this.taxonomy.customTemplates };
      const { vectors } = await ensureEnsembles(this.embedder(), [spec], this.vectorCache());
      const vector = vectors.get(spec.key)!;
      const repo = this.checkedVectors(m);
      const hits = await applyCustomTag(vector, () => repo.iterate(this.pageSize), this.partitions, { scorer: m.scorer, count: m.taxonomyCount }, this.classifyOptions(m));
      this.store.tags.replaceTagAssignments(
        id,
        hits.map((h) => ({ photoId: h.photoId, score: h.probability })),
      );
      this.replaceCustom(m, { key: `custom:${id}`, name: tagName, family: CUSTOM_FAMILY, custom: true }, id, vector);
      this.options.log?.info(`custom tag ${tagName}: ${hits.length} photos`);
      return this.info(tagName);
    });
  }

  /** Removes a custom tag and its assignments. Taxonomy tags cannot be removed. */
  removeTag(name: string): Promise<{ removed: boolean }> {
    return this.queue.run(async () => {
      const row = this.store.tags.getTag(name);
      if (!row) return { removed: false };
      if (!row.custom) throw apiError('tag-builtin', { name }, `${name} is a built-in tag; only custom tags can be removed`);
      const removed = this.store.tags.removeTag(name);
      if (this.matrix) this.replaceCustom(this.matrix, null, row.id, null);
      return { removed };
    });
  }

  /** Dominant tags and a title for the photos in `folder` and below. */
  albumSummary(folder: string): AlbumSummary {
    return this.albumView.summary(folder);
  }

  /** One summary per directory that holds at least `minPhotos` photos directly. */
  albums(minPhotos?: number): AlbumSummary[] {
    return this.albumView.list(minPhotos);
  }

  /** Waits for queued work (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ---------- internals ----------

  private specs(custom: { id: number; name: string }[], taxonomyIds: number[] | null): EnsembleSpec[] {
    return [
      ...this.taxonomy.tags.map((t, i) => ({ key: String(taxonomyIds ? taxonomyIds[i] : -1), names: tagNames(t), templates: familyTemplates(this.taxonomy, t.family) })),
      ...custom.map((t) => ({ key: String(t.id), names: [t.name], templates: this.taxonomy.customTemplates })),
    ];
  }

  /** The taxonomy's tag ids if its rows exist already (a read; load() writes them). */
  private taxonomyIdsIfKnown(): number[] | null {
    const ids: number[] = [];
    for (const t of this.taxonomy.tags) {
      const row = this.store.tags.getTag(t.zh);
      if (!row || row.custom) return null;
      ids.push(row.id);
    }
    return ids;
  }

  private async load(opts: EnsembleOptions = {}): Promise<Matrix> {
    const embedder = this.embedder();
    if (this.matrix && this.matrix.modelKey === embedder.modelKey) return this.matrix;
    this.notReadyFor = null;
    const taxonomyIds = this.syncTaxonomyRows();
    const custom = this.store.tags.listTags().filter((t) => t.custom);
    const specs = this.specs(custom, taxonomyIds);
    const t0 = performance.now();
    const result = await ensureEnsembles(embedder, specs, this.vectorCache(), opts);
    this.lastComputed = result.computed;
    if (result.computed > 0) {
      this.options.log?.info(`tag vectors: encoded ${result.promptsEncoded} prompts for ${result.computed} tags in ${Math.round(performance.now() - t0)} ms`);
    }
    const refs: TagRef[] = [
      ...this.taxonomy.tags.map((t) => ({ key: t.id, name: t.zh, family: t.family, custom: false })),
      ...custom.map((t) => ({ key: `custom:${t.id}`, name: t.name, family: CUSTOM_FAMILY, custom: true })),
    ];
    const vectors = specs.map((s) => result.vectors.get(s.key)!);
    // A new model (or first load) invalidates every remembered partition.
    this.partitions.clear();
    this.matrix = {
      modelKey: embedder.modelKey,
      logitScale: embedder.logitScale,
      refs,
      tagIds: [...taxonomyIds, ...custom.map((t) => t.id)],
      vectors,
      taxonomyCount: this.taxonomy.tags.length,
      scorer: buildScorer(vectors, embedder.dim),
    };
    return this.matrix;
  }

  /** Upserts the taxonomy's rows and drops built-in rows it no longer has; returns ids in taxonomy order. */
  private syncTaxonomyRows(): number[] {
    const tags = this.store.tags;
    return this.store.transaction(() => {
      const ids = this.taxonomy.tags.map((t) => tags.upsertTag({ name: t.zh, nameEn: t.en, family: t.family, synonyms: t.synonyms ?? [], custom: false }));
      const current = new Set(this.taxonomy.tags.map((t) => t.zh));
      for (const row of tags.listTags()) if (!row.custom && !current.has(row.name)) tags.removeTag(row.name);
      return ids;
    });
  }

  private vectorCache(): TagVectorCache {
    const tags = this.store.tags;
    return {
      get: (key, modelKey, fingerprint) => tags.getTagVector(modelKey, Number(key), fingerprint),
      set: (key, modelKey, fingerprint, vector) => tags.setTagVector(modelKey, Number(key), fingerprint, vector),
    };
  }

  private checkedVectors(m: Matrix): VectorRepo {
    const repo = this.vectors();
    if (repo.dim !== m.scorer.dim) throw new Error(`stored vectors have ${repo.dim} dims but model ${m.modelKey} has ${m.scorer.dim}`);
    return repo;
  }

  private classifyOptions(m: Matrix): ClassifyOptions {
    return { ...this.options.thresholds, logitScale: m.logitScale };
  }

  private async run(m: Matrix, batches: Iterable<VectorBatch>): Promise<TagRunResult> {
    let assigned = 0;
    const version = this.stateVersion(m.modelKey);
    const { photos } = await classifySource(() => batches, m.scorer, m.taxonomyCount, this.classifyOptions(m), (page: PhotoTags[]) => {
      // The tags and the pass state in one transaction: a photo is tagged exactly when recorded so.
      this.store.transaction(() => {
        this.store.tags.replacePhotoTagsMany(
          page.map((p) => {
            this.partitions.set(p.photoId, p.logZ);
            assigned += p.tags.length;
            return { photoId: p.photoId, tags: p.tags.map((t) => ({ tagId: m.tagIds[t.tag]!, score: t.probability })) };
          }),
        );
        this.store.passState.mark(TAGS_PASS, version, page.map((p) => p.photoId));
      });
    });
    return { photos, assigned };
  }

  /** Adds, replaces (same id) or removes (ref null) a custom row of the matrix. */
  private replaceCustom(m: Matrix, ref: TagRef | null, tagId: number, vector: Float32Array | null): void {
    const at = m.tagIds.indexOf(tagId, m.taxonomyCount);
    if (at >= 0) {
      m.refs.splice(at, 1);
      m.tagIds.splice(at, 1);
      m.vectors.splice(at, 1);
    }
    if (ref && vector) {
      m.refs.push(ref);
      m.tagIds.push(tagId);
      m.vectors.push(vector);
    }
    m.scorer = buildScorer(m.vectors, m.scorer.dim);
  }

  /** The stored vectors of these photos as one batch (photos without one are left out). */
  private readBatch(repo: VectorRepo, photoIds: readonly number[]): VectorBatch {
    const found: number[] = [];
    const rows: Float32Array[] = [];
    for (const id of photoIds) {
      const v = repo.get(id);
      if (v) {
        found.push(id);
        rows.push(v);
      }
    }
    return packBatch(found, rows, repo.dim);
  }

  private info(name: string): TagInfo {
    const found = this.listTags().find((t) => t.name === name);
    if (!found) throw new Error(`tag ${name} vanished`);
    return found;
  }
}

function buildScorer(vectors: Float32Array[], dim: number): TagScorer {
  const m = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => m.set(v, i * dim));
  return new TagScorer(m, dim);
}

function packBatch(ids: readonly number[], rows: Float32Array[], dim: number): VectorBatch {
  const vectors = new Float32Array(ids.length * dim);
  rows.forEach((r, i) => vectors.set(r, i * dim));
  return { ids: Int32Array.from(ids), vectors };
}
