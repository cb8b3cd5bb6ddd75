/**
 * One loaded model as the rest of the engine sees it: tokenizer, preprocessing spec, and two
 * encoder workers started on first use (indexing needs only the image tower, a query only the
 * text tower, so a CLI search never pays for loading the image graph).
 *
 * An int8 image tower on the CPU runs as several single-threaded sessions, each photo of a batch
 * on its own (`imageSessions`). An int8 product is a third of the float one's work, so what ONNX
 * Runtime spends handing each of ~170 ops to its threads and waiting for the slowest becomes a
 * large share — and on a laptop busy with other programs a descheduled thread stalls every op.
 * Independent sessions never wait for each other. The price is memory: ~100 MB an extra int8
 * session (a float32 one would cost ~650 MB, and gains less: its ops are large enough to split).
 */
import type { ProviderReport } from '../../shared/api.ts';
import type { PreprocessSpec } from '../media/decode.ts';
import os from 'node:os';
import { resolveModelDir, type ResolvedModel } from './model-dir.ts';
import { embeddingSpace } from './manifest.ts';
import type { Tower, TowerSessionOptions } from './onnx-session.ts';
import { ChineseClipTokenizer } from './tokenizer.ts';
import { TowerWorker } from './tower-worker.ts';
import { WorkerGoneError } from './errors.ts';

export interface TextEmbedder {
  readonly modelKey: string;
  readonly dim: number;
  readonly logitScale: number;
  embedTexts(texts: string[]): Promise<Float32Array[]>;
}

export class ModelRuntime implements TextEmbedder {
  readonly tokenizer: ChineseClipTokenizer;
  private readonly workers = new Map<Tower, Promise<TowerWorker>>();
  /** Image sessions beyond the first (see imageSessions); started with it. */
  private extraImage: Promise<TowerWorker[]> | undefined;
  private nextImage = 0;
  /** Image encodes in flight: the tower is not put away under them. */
  private imageBusy = 0;
  private closed = false;

  constructor(
    readonly model: ResolvedModel,
    private readonly options: TowerSessionOptions = {},
  ) {
    this.tokenizer = ChineseClipTokenizer.fromVocabFile(model.vocabPath, { contextLength: model.manifest.text.contextLength });
  }

  static load(modelDir: string, options: TowerSessionOptions = {}): ModelRuntime {
    return new ModelRuntime(resolveModelDir(modelDir), options);
  }

  get modelKey(): string {
    return this.model.manifest.id;
  }
  /** The embedding space its vectors belong to (manifest.ts embeddingSpace). */
  get spaceKey(): string {
    return embeddingSpace(this.model.manifest);
  }
  get dim(): number {
    return this.model.manifest.embeddingDim;
  }
  /** This runtime as tagging sees it: keyed by embedding space, so an int8 model reuses the fp32 one's prompt vectors. */
  spaceEmbedder(): { modelKey: string; dim: number; logitScale: number; embedTexts(texts: string[]): Promise<Float32Array[]> } {
    return { modelKey: this.spaceKey, dim: this.dim, logitScale: this.logitScale, embedTexts: (texts) => this.embedTexts(texts) };
  }
  get logitScale(): number {
    return this.model.manifest.logitScale;
  }

  /** The execution provider preference and threads this runtime's towers open with. */
  get sessionOptions(): Readonly<TowerSessionOptions> {
    return this.options;
  }

  get preprocessSpec(): PreprocessSpec {
    const { resolution, mean, std, resize } = this.model.manifest.image;
    return { resolution, mean, std, resize };
  }

  private worker(tower: Tower): Promise<TowerWorker> {
    // After close() (e.g. the old model of a finished switch) nothing may start a new worker that
    // nobody would ever stop.
    if (this.closed) return Promise.reject(new WorkerGoneError(`model ${this.modelKey} is closed`));
    let w = this.workers.get(tower);
    if (!w) {
      const sessions = tower === 'image' ? this.imageSessionCount() : 1;
      const threads = sessions > 1 ? Math.max(1, Math.floor(this.threads / sessions)) : this.options.threads;
      w = TowerWorker.start(this.model.dir, tower, { ...this.options, threads });
      // A failed start must not be cached forever: the next call tries again.
      w.catch(() => this.workers.delete(tower));
      this.workers.set(tower, w);
      if (sessions > 1) {
        // The others once the first has chosen its provider: a GPU gets one session only.
        const first = w;
        this.extraImage = (async () => {
          if ((await first).info.provider !== 'cpu') return [];
          return Promise.all(Array.from({ length: sessions - 1 }, () => TowerWorker.start(this.model.dir, 'image', { ...this.options, provider: 'cpu', threads })));
        })();
        this.extraImage.catch(() => (this.extraImage = undefined));
      }
    }
    return w;
  }

  private get threads(): number {
    return this.options.threads ?? Math.max(1, os.availableParallelism());
  }

  /** How many image sessions side by side (see the module comment). */
  private imageSessionCount(): number {
    const want = this.options.imageSessions ?? 'auto';
    if (typeof want === 'number') return Math.max(1, Math.floor(want));
    const cpu = (this.options.provider ?? 'auto') === 'auto' || this.options.provider === 'cpu';
    return this.model.manifest.precision === 'int8' && cpu ? Math.min(4, this.threads) : 1;
  }

  /** Every image session (the first decides the provider; a GPU has just one). */
  private async imageWorkers(): Promise<TowerWorker[]> {
    const first = await this.worker('image');
    const extra = this.extraImage ? await this.extraImage.catch(() => []) : [];
    return [first, ...extra];
  }

  /** Start a tower now (e.g. at engine start) so the first query or photo does not wait. */
  async warm(tower: Tower): Promise<void> {
    if (tower === 'image') await this.imageWorkers();
    else await this.worker(tower);
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const ids = texts.map((t) => this.tokenizer.encode(t));
    return (await this.worker('text')).encodeTexts(ids);
  }

  /** Tensors from media/preprocess for this model's spec; their buffers are transferred. */
  async embedImageTensors(tensors: Float32Array[]): Promise<Float32Array[]> {
    if (tensors.length === 0) return [];
    this.imageBusy++;
    try {
      return await this.encodeOnPool(tensors);
    } finally {
      this.imageBusy--;
    }
  }

  /**
   * Stops the image tower's sessions while nothing is being encoded (their memory goes back: ~0.2
   * GB for two int8 sessions, ~0.4 GB for a float one); the next photo starts them again, as the
   * first one did. False when encodes were in flight or the tower was not running.
   */
  async releaseImageTower(): Promise<boolean> {
    const first = this.workers.get('image');
    if (!first || this.imageBusy > 0) return false;
    const extra = this.extraImage;
    this.workers.delete('image');
    this.extraImage = undefined;
    this.nextImage = 0;
    await (await first.catch(() => null))?.close();
    await Promise.all(((await extra?.catch(() => [])) ?? []).map((w) => w.close()));
    return true;
  }

  private async encodeOnPool(tensors: Float32Array[]): Promise<Float32Array[]> {
    const pool = await this.imageWorkers();
    if (pool.length === 1) return pool[0]!.encodeImages(tensors);
    // Consecutive slices, one per session, started together; a single photo goes round the pool.
    const k = Math.min(pool.length, tensors.length);
    const per = Math.ceil(tensors.length / k);
    const start = this.nextImage;
    this.nextImage = (this.nextImage + k) % pool.length;
    const parts = await Promise.all(
      Array.from({ length: Math.ceil(tensors.length / per) }, (_, i) => pool[(start + i) % pool.length]!.encodeImages(tensors.slice(i * per, (i + 1) * per))),
    );
    return parts.flat();
  }

  /** Image sessions running (1 until the tower is started, or for a float model). */
  async imageSessions(): Promise<number> {
    return (await this.imageWorkers()).length;
  }

  /** What the loader sees for a tower: provider, fallbacks, the graph's inputs and outputs. */
  async towerInfo(tower: Tower): Promise<TowerWorker['info']> {
    return (await this.worker(tower)).info;
  }

  /** Whether batches > 1 reach the graph in one run (decides the indexer's batch size). */
  async imageBatchIsDynamic(): Promise<boolean> {
    return (await this.worker('image')).info.dynamicBatch;
  }

  /** The provider of the image tower if started, else the text tower's; null before either. */
  async providerReport(): Promise<ProviderReport | null> {
    for (const tower of ['image', 'text'] as const) {
      const w = this.workers.get(tower);
      if (!w) continue;
      try {
        const { info } = await w;
        return { name: info.provider, fallbacks: info.fallbacks, notes: info.notes };
      } catch {
        // fall through to the other tower
      }
    }
    return null;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.workers.values()];
    const extra = this.extraImage;
    this.workers.clear();
    this.extraImage = undefined;
    await Promise.all(all.map(async (w) => (await w.catch(() => null))?.close()));
    await Promise.all(((await extra?.catch(() => [])) ?? []).map((w) => w.close()));
  }
}
