/**
 * The only place that talks to onnxruntime-node: opens one tower (image or text) of a model on
 * the best execution provider, validates the graph against the manifest, and runs it.
 *
 * `run()` is CPU-heavy and blocks the thread it runs on, so this class is used from worker
 * threads (./encoder-worker.ts), never from the thread that serves queries or the UI.
 */
import { intraOpThreads } from './threads.ts';
import * as ort from 'onnxruntime-node';
import type { ResolvedModel } from './model-dir.ts';
import { checkImageGraph, checkTextGraph, type GraphInfo } from './graph-contract.ts';
import {
  ModelContractError,
  onnxruntimeBinDir,
  providerOrder,
  selectProvider,
  type BackendInfo,
  type ProviderFallback,
  type ProviderName,
  type ProviderPreference,
} from './providers.ts';
import { float16ToFloat32, float32ToFloat16, l2NormaliseInPlace } from './vectors.ts';

export type Tower = 'image' | 'text';

export interface TowerSessionOptions {
  provider?: ProviderPreference;
  /** Intra-op threads; default: the machine's available parallelism. */
  threads?: number;
  /** Upper bound for one run when the batch axis is dynamic. */
  maxBatch?: number;
  enableWebgpu?: boolean;
  /** For tests: pretend these backends are what onnxruntime-node reports. */
  backends?: readonly BackendInfo[];
  /**
   * Image-tower sessions side by side (model-runtime.ts): a number, or 'auto' (default) — an int8
   * model on the CPU gets one session per thread (at most 4), every other model one session.
   */
  imageSessions?: number | 'auto';
}

export interface TowerSessionInfo {
  provider: ProviderName;
  fallbacks: ProviderFallback[];
  notes: string[];
  dynamicBatch: boolean;
  inputs: GraphInfo['inputs'];
  outputs: GraphInfo['outputs'];
}

function graphInfo(session: ort.InferenceSession): GraphInfo {
  return { inputs: session.inputMetadata, outputs: session.outputMetadata } as GraphInfo;
}

export class TowerSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly model: ResolvedModel,
    readonly tower: Tower,
    readonly info: TowerSessionInfo,
    private readonly maxBatch: number,
  ) {}

  static async open(model: ResolvedModel, tower: Tower, opts: TowerSessionOptions = {}): Promise<TowerSession> {
    const file = tower === 'image' ? model.imageGraph : model.textGraph;
    const threads = intraOpThreads(opts.threads);
    const order = providerOrder(process.platform, process.arch, opts.provider ?? 'auto', { enableWebgpu: opts.enableWebgpu });
    const backends = opts.backends ?? ort.listSupportedBackends();
    let dynamicBatch = false;

    const { provider, value: session, fallbacks } = await selectProvider(order, backends, onnxruntimeBinDir(), async (ep) => {
      const s = await ort.InferenceSession.create(file, {
        executionProviders: [ep],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      try {
        const g = graphInfo(s);
        const report =
          tower === 'image'
            ? checkImageGraph(g, model.manifest.image, model.manifest.embeddingDim)
            : checkTextGraph(g, model.manifest.text, model.manifest.embeddingDim);
        if (report.problems.length) {
          throw new ModelContractError(
            `${tower} graph ${file} does not match manifest ${model.manifest.id}:\n  - ${report.problems.join('\n  - ')}`,
          );
        }
        dynamicBatch = report.dynamicBatch && (tower === 'image' ? model.manifest.image.batch : model.manifest.text.batch) === 'dynamic';
        // A provider can accept a graph and still fail on its first real run (missing kernels,
        // out of GPU memory): a test inference now makes the fallback happen here, not mid-index.
        const probe = new TowerSession(s, model, tower, { provider: ep, fallbacks: [], notes: [], dynamicBatch: false, inputs: [], outputs: [] }, 1);
        if (tower === 'image') await probe.encodeImages([new Float32Array(3 * model.manifest.image.resolution ** 2)]);
        else await probe.encodeTexts([[101, 102]]);
        return s;
      } catch (err) {
        await s.release().catch(() => undefined);
        throw err;
      }
    });
    const g = graphInfo(session);
    const info: TowerSessionInfo = { provider, fallbacks, notes: precisionNotes(model, provider), dynamicBatch, inputs: g.inputs, outputs: g.outputs };
    return new TowerSession(session, model, tower, info, dynamicBatch ? Math.max(1, opts.maxBatch ?? 8) : 1);
  }

  /** CHW float32 tensors already preprocessed for this model → L2-normalised embeddings. */
  async encodeImages(tensors: Float32Array[]): Promise<Float32Array[]> {
    const spec = this.model.manifest.image;
    const r = spec.resolution;
    const per = 3 * r * r;
    const out: Float32Array[] = [];
    for (let start = 0; start < tensors.length; start += this.maxBatch) {
      const chunk = tensors.slice(start, start + this.maxBatch);
      const data = new Float32Array(per * chunk.length);
      chunk.forEach((t, i) => {
        if (t.length !== per) throw new Error(`image tensor has ${t.length} values, expected ${per} (3×${r}×${r})`);
        data.set(t, i * per);
      });
      const input =
        spec.inputDtype === 'float16'
          ? new ort.Tensor('float16', float32ToFloat16(data), [chunk.length, 3, r, r])
          : new ort.Tensor('float32', data, [chunk.length, 3, r, r]);
      out.push(...(await this.runAndSplit({ [spec.input]: input }, spec.output, chunk.length)));
    }
    return out;
  }

  /**
   * Token id rows (already padded to the context length) → L2-normalised embeddings. A graph whose
   * manifest says `variableLength` (proven by parity when it was written) gets the rows trimmed of
   * trailing [PAD] to the longest row of the batch: same vectors, a fraction of the work.
   */
  async encodeTexts(idRows: number[][]): Promise<Float32Array[]> {
    const spec = this.model.manifest.text;
    const out: Float32Array[] = [];
    for (let start = 0; start < idRows.length; start += this.maxBatch) {
      const chunk = idRows.slice(start, start + this.maxBatch);
      const n = spec.variableLength ? Math.min(spec.contextLength, Math.max(...chunk.map(unpaddedLength))) : spec.contextLength;
      const ids = new BigInt64Array(n * chunk.length);
      const mask = new BigInt64Array(n * chunk.length);
      chunk.forEach((row, i) => {
        for (let j = 0; j < n; j++) {
          const id = row[j] ?? 0;
          ids[i * n + j] = BigInt(id);
          mask[i * n + j] = id !== 0 ? 1n : 0n;
        }
      });
      const tensor = (v: BigInt64Array): ort.Tensor =>
        spec.inputDtype === 'int32'
          ? new ort.Tensor('int32', Int32Array.from(v, Number), [chunk.length, n])
          : new ort.Tensor('int64', v, [chunk.length, n]);
      const feeds: Record<string, ort.Tensor> = { [spec.input]: tensor(ids) };
      if (spec.attentionMaskInput) feeds[spec.attentionMaskInput] = tensor(mask);
      if (spec.tokenTypeIdsInput) feeds[spec.tokenTypeIdsInput] = tensor(new BigInt64Array(n * chunk.length));
      out.push(...(await this.runAndSplit(feeds, spec.output, chunk.length)));
    }
    return out;
  }

  private async runAndSplit(feeds: Record<string, ort.Tensor>, outputName: string, batch: number): Promise<Float32Array[]> {
    const results = await this.session.run(feeds, [outputName]);
    const t = results[outputName];
    const flat = t.type === 'float16' ? float16ToFloat32(t.data as Uint16Array) : (t.data as Float32Array);
    const dim = this.model.manifest.embeddingDim;
    if (flat.length !== dim * batch) {
      throw new Error(`${outputName} returned ${flat.length} values for a batch of ${batch}, expected ${dim * batch}`);
    }
    const rows: Float32Array[] = [];
    for (let i = 0; i < batch; i++) rows.push(l2NormaliseInPlace(flat.slice(i * dim, (i + 1) * dim)));
    return rows;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** Length of a row without its trailing [PAD] (id 0), at least 1. */
export function unpaddedLength(row: readonly number[]): number {
  let n = row.length;
  while (n > 1 && (row[n - 1] ?? 0) === 0) n--;
  return n;
}

/**
 * fp16 graphs are meant for GPUs: on the CPU, ONNX Runtime inserts casts around most kernels or
 * lacks fp16 kernels outright, so they run slower than fp32 (or fail). Say so when it happens.
 */
export function precisionNotes(model: ResolvedModel, provider: ProviderName): string[] {
  const p = model.manifest.precision;
  if (provider === 'cpu' && (p === 'fp16' || p === 'mixed')) {
    return [
      `${model.manifest.id} is an ${p} export running on the CPU, where fp16 is slow or unsupported: ` +
        `use its fp32 (or int8) files instead (npm run cli -- models download ${model.manifest.id} --precision fp32).`,
    ];
  }
  return [];
}
