/**
 * The models one engine holds: the target (new vectors are computed with it) and the serving one
 * (queries use it). They are the same model except during a model switch: the new model's vectors
 * are built into their own table while the old model keeps answering; once every photo has a new
 * vector the switch is one transaction and the old vectors are dropped. Interrupted, it resumes
 * the next time the engine opens with the new model.
 */
import fs from 'node:fs';
import type { TowerSessionOptions } from './ml/onnx-session.ts';
import { embeddingSpace } from './ml/manifest.ts';
import type { ResolvedModel } from './ml/model-dir.ts';
import { ModelRuntime } from './ml/model-runtime.ts';
import type { Library } from './store/library.ts';
import type { ModelRow } from './store/rows.ts';
import { VectorSearch, type VectorSearchMode } from './search/vector-search.ts';
import { FrameSearch } from './search/frame-search.ts';
import type { Logger } from './util/log.ts';

export interface ModelSlot {
  runtime: ModelRuntime;
  search: VectorSearch;
  /** The model's video frames as searches read them. */
  frames: FrameSearch;
}

export class ModelSlots {
  private constructor(
    private readonly lib: Library,
    readonly target: ModelSlot,
    private servingSlot: ModelSlot,
    private readonly log: Logger,
  ) {}

  /** The target model from `resolved`; the library's active model serves until a switch to it completes. */
  static open(lib: Library, resolved: ResolvedModel, o: { session?: TowerSessionOptions; vectorSearch?: VectorSearchMode; log: Logger }): ModelSlots {
    const slot = (runtime: ModelRuntime, row: ModelRow): ModelSlot => ({
      runtime,
      search: new VectorSearch(lib.vectors(row), lib.vectorLog, { mode: o.vectorSearch ?? 'index', logger: o.log }),
      frames: new FrameSearch(lib.videoFrames(row), { mode: o.vectorSearch ?? 'index', log: o.log }),
    });
    // Vectors are kept per embedding space: an int8 model shares its fp32 source's.
    const space = embeddingSpace(resolved.manifest);
    const active = lib.models.active();
    const targetRow = lib.models.ensure(space, resolved.manifest.embeddingDim);
    lib.models.setDir(space, resolved.dir);
    const target = slot(new ModelRuntime(resolved, o.session), targetRow);
    let serving = target;
    if (active && active.modelKey !== space) {
      if (active.dir && fs.existsSync(active.dir)) {
        serving = slot(ModelRuntime.load(active.dir, o.session), active);
        o.log.info(`switching model ${active.modelKey} → ${space}: queries use ${active.modelKey} until every photo has a new vector`);
      } else {
        o.log.warn(`previous model ${active.modelKey} is no longer on disk; switching to ${space} now (photos will be re-encoded)`);
        lib.models.activate(space);
      }
    }
    return new ModelSlots(lib, target, serving, o.log);
  }

  get serving(): ModelSlot {
    return this.servingSlot;
  }

  /** Puts away the idle image encoders (ModelRuntime.releaseImageTower) of the serving and target models. */
  async releaseImageTowers(): Promise<void> {
    await this.target.runtime.releaseImageTower();
    if (this.servingSlot !== this.target) await this.servingSlot.runtime.releaseImageTower();
  }

  /** True while a model switch is building the new vector set. */
  get switching(): { from: string; to: string } | null {
    return this.servingSlot === this.target ? null : { from: this.servingSlot.runtime.modelKey, to: this.target.runtime.modelKey };
  }

  /**
   * Complete a model switch once the new model has a vector for every indexed photo and frames for
   * every indexed video; true when it did now. Videos not read yet (pending) do not hold it up:
   * they have no frames in either model.
   */
  finishSwitchIfComplete(): boolean {
    if (this.servingSlot === this.target) return false;
    const target = this.target.search.vectors.modelRowId;
    const missing = this.lib.photos.missingVectors(target, 1).length + this.lib.videos.missingFrames(target);
    const pendingPhotos = this.lib.photos.counts().pending - this.lib.photos.videoCounts().pending;
    if (missing > 0 || pendingPhotos > 0) return false;
    const old = this.servingSlot;
    this.lib.models.activate(this.target.runtime.spaceKey);
    this.servingSlot = this.target;
    void old.runtime.close();
    void old.frames.close();
    this.log.info(`model switch complete: now using ${this.target.runtime.modelKey}`);
    return true;
  }

  async close(): Promise<void> {
    const { target, servingSlot: serving } = this;
    await target.runtime.close();
    if (serving !== target) await serving.runtime.close();
    // Saves the index snapshots that changed, so the next start does not rebuild them.
    await serving.search.close({ trimLog: true });
    await serving.frames.close();
    if (serving !== target) {
      await target.search.close();
      await target.frames.close();
    }
  }
}
