/**
 * One loaded model as the rest of the engine sees it: tokenizer, preprocessing spec, and two
 * encoder workers started on first use (indexing needs only the image tower, a query only the
 * text tower, so a CLI search never pays for loading the image graph).
 */
import type { ProviderReport } from '../../shared/api.ts';
import type { PreprocessSpec } from '../media/decode.ts';
import { resolveModelDir, type ResolvedModel } from './model-dir.ts';
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
  get dim(): number {
    return this.model.manifest.embeddingDim;
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
      w = TowerWorker.start(this.model.dir, tower, this.options);
      // A failed start must not be cached forever: the next call tries again.
      w.catch(() => this.workers.delete(tower));
      this.workers.set(tower, w);
    }
    return w;
  }

  /** Start a tower now (e.g. at engine start) so the first query or photo does not wait. */
  async warm(tower: Tower): Promise<void> {
    await this.worker(tower);
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const ids = texts.map((t) => this.tokenizer.encode(t));
    return (await this.worker('text')).encodeTexts(ids);
  }

  /** Tensors from media/preprocess for this model's spec; their buffers are transferred. */
  async embedImageTensors(tensors: Float32Array[]): Promise<Float32Array[]> {
    if (tensors.length === 0) return [];
    return (await this.worker('image')).encodeImages(tensors);
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
    this.workers.clear();
    await Promise.all(all.map(async (w) => (await w.catch(() => null))?.close()));
  }
}
