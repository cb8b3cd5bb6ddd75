/**
 * The OCR graphs on ONNX Runtime: text detection (DB), the optional 0°/180° direction classifier
 * and CTC recognition, opened on the execution provider the encoders would get (same order, same
 * fallbacks, a first test inference before a provider is accepted). Runs inside the OCR worker
 * thread (./ocr-worker.ts): `run()` blocks the thread it is called on.
 */
import { intraOpThreads } from '../threads.ts';
import { bestClassGraphBytes, type BestClassOutputs } from '../quantize/best-class-outputs.ts';
import { foldedGraphBytes } from '../quantize/fold-conv-affine.ts';
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { onnxruntimeBinDir, providerOrder, selectProvider, type BackendInfo, type ProviderFallback, type ProviderName, type ProviderPreference } from '../providers.ts';
import { checkClasses, ctcDecodeBest, ctcGreedyDecode, parseDictionary } from './ctc.ts';
import { boxesFromProbabilityMap, type DetectedBox } from './db-postprocess.ts';
import type { DetPlan } from './det-plan.ts';
import { mapQuad, quadCentre, quadSize, type Point, type Quad } from './geometry.ts';
import { decideFlips, linesToClassify, orientLines, sidewaysPage, turn, type ClassVote } from './orientation.ts';
import { mergeTileBoxes, type TileBox } from './tile-merge.ts';
import { recognitionBatches } from './rec-batches.ts';
import { Scratch } from './scratch.ts';
import type { OcrManifest, ResolvedOcrModel } from './manifest.ts';
import { borderColour, detectorInput, warpQuadInto, type InputPad, type RgbRaster } from './raster.ts';

/**
 * How the 0°/180° direction classifier is used: 'all' — every line's way up is decided, through
 * its page's vote on a sample of lines or on its own (orientation.ts); 'every' — the same
 * decisions with every line classified (what it costs, for the bench); 'rotated' — only lines
 * turned from vertical boxes; 'never'.
 */
export type ClassifierUse = 'all' | 'every' | 'rotated' | 'never';

/**
 * Which graphs use ONNX Runtime's CPU memory arena. The arena keeps the largest buffers a graph
 * ever needed: for the detector (a 1600 × 1200 photo, a tall screenshot piece) that high-water
 * mark stays resident for the rest of the pass; the recogniser's many small, varying runs are
 * where reusing memory pays.
 */
export type OcrArena = 'all' | 'recognition' | 'none';

export interface OcrSessionOptions {
  provider?: ProviderPreference;
  /** Default 'all'. */
  arena?: OcrArena;
  /**
   * ONNX Runtime's memory pattern (one planned block per input shape). Off by default: every
   * photo has its own shape, and the blocks planned for each shape piled up in the arena
   * (1.27 GB peak reading 12 MP photos and long screenshots, 0.87 GB without; measured in
   * docs/decisions/ocr.md).
   */
  memoryPattern?: boolean;
  threads?: number;
  /**
   * Whether ONNX Runtime's intra-op threads spin while waiting for work (ONNX Runtime's default).
   * Off by default here: idle threads sleep, so the cores go to the photo decoding beside them and
   * to other programs. These graphs are many small ops; spinning between them cost 1.2–1.3× the
   * CPU for the same wall time (docs/decisions/ocr.md, "Threads, measured quiet").
   */
  spin?: boolean;
  enableWebgpu?: boolean;
  /**
   * Fold the scalar arithmetic exporters leave around convolutions into them before the graphs
   * are opened (../quantize/fold-conv-affine.ts; the same numbers to float rounding). Default on:
   * the OCR pass ran ~1.4× as fast on the PP-OCRv4 graphs (docs/decisions/ocr.md).
   */
  foldGraphs?: boolean;
  /**
   * Have the recogniser's graph answer each step's best class and its probability instead of
   * the whole distribution (../quantize/best-class-outputs.ts; the same readings). Default on:
   * 2 × steps values leave the graph per line instead of 6 625 × steps.
   */
  bestClassInGraph?: boolean;
  classifier?: ClassifierUse;
  /** For tests: pretend these backends are what onnxruntime-node reports. */
  backends?: readonly BackendInfo[];
}

export interface OcrSessionInfo {
  modelId: string;
  provider: ProviderName;
  fallbacks: ProviderFallback[];
  classifier: ClassifierUse;
}

/**
 * Where one request's time went, in ms: the detector graph, its post-processing (regions, boxes),
 * the classifier (crops and graph), the recogniser's graph and the work around it (crops into the
 * batch tensor, CTC decoding). Reported per request for profiling (inspect ocr, the bench).
 */
export interface OcrStageTimes {
  detRunMs: number;
  detPostMs: number;
  classifyMs: number;
  recRunMs: number;
  recPrepMs: number;
}

export const noStageTimes = (): OcrStageTimes => ({ detRunMs: 0, detPostMs: 0, classifyMs: 0, recRunMs: 0, recPrepMs: 0 });

export interface RecognisedText {
  text: string;
  confidence: number;
  /** Degrees the crop was turned before reading: 0, 90 (vertical box), 180 or 270. */
  rotation: number;
}

/** One crop for the recogniser: a box as read (corners from its top-left) and its size as read. */
interface RecJob {
  quad: Quad;
  w: number;
  h: number;
}

interface Sessions {
  det: ort.InferenceSession;
  rec: ort.InferenceSession;
  cls: ort.InferenceSession | null;
}

interface GraphBytes {
  det: Uint8Array;
  rec: Uint8Array;
  cls: Uint8Array | null;
  /** The recogniser's best-class outputs, when its graph was given them. */
  recBest: BestClassOutputs | null;
}

/**
 * The graphs' bytes, folded when asked, the recogniser's answering its best class per step when
 * asked (with the names of those outputs). Bytes rather than paths: inside a packaged app the files
 * sit in app.asar, which only Node's patched fs can read.
 */
async function readGraphs(model: ResolvedOcrModel, withCls: boolean, fold: boolean, bestClass: boolean): Promise<GraphBytes> {
  const read = async (file: string): Promise<Uint8Array> => {
    const bytes = fs.readFileSync(file);
    if (!fold) return bytes;
    // A graph the folder cannot take (another model's, one with external data) runs as it is:
    // slower, never wrong. The shipped graphs' folding is tested (ml-fold-conv-affine.test.ts).
    return foldedGraphBytes(bytes, file).then(
      (f) => f.bytes,
      () => bytes,
    );
  };
  let rec = await read(model.recGraph);
  let recBest: BestClassOutputs | null = null;
  if (bestClass) {
    // Likewise: a recogniser whose output is not a fixed-size distribution is decoded in JS.
    try {
      const b = bestClassGraphBytes(rec, model.manifest.recognition.output, model.recGraph);
      rec = b.bytes;
      recBest = b.outputs;
    } catch {
      recBest = null;
    }
  }
  return { det: await read(model.detGraph), rec, cls: withCls && model.clsGraph ? await read(model.clsGraph) : null, recBest };
}

async function createSessions(graphs: GraphBytes, provider: ProviderName, threads: number, arena: OcrArena, memoryPattern: boolean, spin: boolean): Promise<Sessions> {
  const options = (useArena: boolean): ort.InferenceSession.SessionOptions => ({
    ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableCpuMemArena: useArena,
    enableMemPattern: memoryPattern,
  });
  const open = (bytes: Uint8Array, useArena: boolean): Promise<ort.InferenceSession> => ort.InferenceSession.create(bytes, options(useArena));
  const opened: ort.InferenceSession[] = [];
  try {
    const det = await open(graphs.det, arena === 'all');
    opened.push(det);
    const rec = await open(graphs.rec, arena !== 'none');
    opened.push(rec);
    const cls = graphs.cls ? await open(graphs.cls, arena !== 'none') : null;
    if (cls) opened.push(cls);
    return { det, rec, cls };
  } catch (err) {
    await Promise.all(opened.map((s) => s.release().catch(() => undefined)));
    throw err;
  }
}

/** The colour around a padded detector input. */
function padFill(raster: RgbRaster, fill: 'black' | 'white' | 'border' | undefined): [number, number, number] {
  if (fill === 'white') return [255, 255, 255];
  if (fill === 'border') return borderColour(raster);
  return [0, 0, 0];
}

export class OcrSessions {
  private readonly dictionary: string[];
  private readonly detInput = new Scratch((n) => new Float32Array(n));
  private readonly recInput = new Scratch((n) => new Float32Array(n));
  /** Accumulated since the last takeStages(). */
  private stages = noStageTimes();

  private constructor(
    private readonly s: Sessions,
    private readonly m: OcrManifest,
    readonly info: OcrSessionInfo,
    dictionaryText: string,
    private readonly recBest: BestClassOutputs | null,
  ) {
    this.dictionary = parseDictionary(dictionaryText, m.recognition.useSpaceChar);
    if (recBest) checkClasses(recBest.classes, this.dictionary);
  }

  static async open(model: ResolvedOcrModel, opts: OcrSessionOptions = {}): Promise<OcrSessions> {
    const threads = Math.min(intraOpThreads(opts.threads), model.manifest.runtime?.intraOpThreads ?? Infinity);
    // Every line by default: photos of documents taken from above are often upside down (the
    // phone cannot tell), and read as garbage without it; the classifier's cost is small next to
    // recognition (measured in the bench: BENCH_ONLY=ocr, "classifier").
    const classifier: ClassifierUse = model.clsGraph ? (opts.classifier ?? 'all') : 'never';
    const order = providerOrder(process.platform, process.arch, opts.provider ?? 'auto', { enableWebgpu: opts.enableWebgpu });
    const backends = opts.backends ?? ort.listSupportedBackends();
    const dictionaryText = fs.readFileSync(model.dictionaryPath, 'utf8');
    const graphs = await readGraphs(model, classifier !== 'never', opts.foldGraphs ?? true, opts.bestClassInGraph ?? true);
    const { provider, value, fallbacks } = await selectProvider(order, backends, onnxruntimeBinDir(), async (ep) => {
      const sessions = await createSessions(graphs, ep, threads, opts.arena ?? 'all', opts.memoryPattern ?? false, opts.spin ?? false);
      try {
        const probe = new OcrSessions(sessions, model.manifest, { modelId: model.manifest.id, provider: ep, fallbacks: [], classifier }, dictionaryText, graphs.recBest);
        await probe.selfTest();
        return sessions;
      } catch (err) {
        await Promise.all([sessions.det, sessions.rec, sessions.cls].map((x) => x?.release().catch(() => undefined)));
        throw err;
      }
    });
    return new OcrSessions(value, model.manifest, { modelId: model.manifest.id, provider, fallbacks, classifier }, dictionaryText, graphs.recBest);
  }

  /** The stage times since the last call, and a fresh count. */
  takeStages(): OcrStageTimes {
    const s = this.stages;
    this.stages = noStageTimes();
    return s;
  }

  /** A first run of every graph, so a provider that cannot run them fails here, not mid-library. */
  private async selfTest(): Promise<void> {
    const blank: RgbRaster = { data: new Uint8Array(64 * 64 * 3).fill(255), width: 64, height: 64 };
    const plan: DetPlan = { width: 64, height: 64, scaleX: 1, scaleY: 1, tiles: [{ x: 0, y: 0, width: 64, height: 64, core: { x0: 0, y0: 0, x1: 64, y1: 64 } }] };
    await this.detect(blank, plan, 64, 64);
    const q: Quad = [[4, 20], [60, 20], [60, 44], [4, 44]];
    await this.recognise(blank, [q, [[20, 2], [44, 2], [44, 62], [20, 62]]]);
  }

  /**
   * Text boxes of a raster resized to the plan's size, in the coordinates of the original
   * (srcWidth × srcHeight) image.
   */
  async detect(raster: RgbRaster, plan: DetPlan, srcWidth: number, srcHeight: number): Promise<DetectedBox[]> {
    if (raster.width !== plan.width || raster.height !== plan.height) {
      throw new RangeError(`detection raster is ${raster.width}×${raster.height}, the plan wants ${plan.width}×${plan.height}`);
    }
    const found: TileBox[] = [];
    for (let t = 0; t < plan.tiles.length; t++) found.push(...(await this.detectTile(raster, plan, t, srcWidth, srcHeight)));
    return plan.tiles.length === 1 ? found.filter((b) => b.inCore).map(({ quad, score }) => ({ quad, score })) : mergeTileBoxes(found);
  }

  /** Boxes of one piece of the plan, in source coordinates, each marked with whether the piece's core holds it. */
  private async detectTile(raster: RgbRaster, plan: DetPlan, t: number, srcWidth: number, srcHeight: number): Promise<TileBox[]> {
    const d = this.m.detection;
    const tile = plan.tiles[t];
    const p = tile.pad;
    const pad: InputPad | undefined = p && { ...p, fill: padFill(raster, d.padFill) };
    const inW = tile.width + (p ? p.left + p.right : 0);
    const inH = tile.height + (p ? p.top + p.bottom : 0);
    const input = new ort.Tensor('float32', detectorInput(raster, tile, d, pad, (n) => this.detInput.take(n)), [1, 3, inH, inW]);
    const tRun = performance.now();
    const result = await this.s.det.run({ [d.input]: input }, [d.output]);
    const tPost = performance.now();
    // The input's preparation counts as post-processing (pixel work in JS, not the graph).
    this.stages.detRunMs += tPost - tRun;
    const map = result[d.output];
    const [, , mh, mw] = map.dims as number[];
    const out: TileBox[] = [];
    for (const b of boxesFromProbabilityMap(map.data as Float32Array, mw, mh, d)) {
      // Map pixels → input pixels (the map may be smaller than its input) → tile → whole raster.
      const inRaster = mapQuad(b.quad, ([x, y]): Point => [tile.x + (x * inW) / mw - (p?.left ?? 0), tile.y + (y * inH) / mh - (p?.top ?? 0)]);
      const [cx, cy] = quadCentre(inRaster);
      const c = tile.core;
      const inCore = cx >= c.x0 && cx < c.x1 && cy >= c.y0 && cy < c.y1;
      const quad = mapQuad(inRaster, ([x, y]): Point => [
        Math.min(srcWidth, Math.max(0, Math.round(x / plan.scaleX))),
        Math.min(srcHeight, Math.max(0, Math.round(y / plan.scaleY))),
      ]);
      const { width, height } = quadSize(quad);
      // PP-OCR drops boxes with a side of 3 px or less in the source image.
      if (width <= 3 || height <= 3) continue;
      out.push({ quad, score: b.score, tile: t, inCore });
    }
    this.stages.detPostMs += performance.now() - tPost;
    return out;
  }

  /** Read each quad (corners in the raster's coordinates, reading order) of the raster. */
  async recognise(raster: RgbRaster, quads: readonly Quad[]): Promise<RecognisedText[]> {
    const items = orientLines(quads);
    const c = this.m.classifier;
    if (this.s.cls && c && this.info.classifier !== 'never') {
      const sideways = sidewaysPage(quads);
      // 'all': every line takes part, through its page's vote (decided on a sample of its lines)
      // or on its own (a turned line on an upright page); 'rotated': turned lines only.
      const mode = this.info.classifier;
      const candidates =
        mode === 'all'
          ? linesToClassify(items, sideways, c.batch, c.width / c.height)
          : items.map((_, i) => i).filter((i) => mode === 'every' || items[i].rotation === 90);
      const tCls = performance.now();
      const votes = await this.classify(raster, candidates.map((i) => items[i]));
      this.stages.classifyMs += performance.now() - tCls;
      const all: (ClassVote | null)[] = items.map(() => null);
      candidates.forEach((i, n) => (all[i] = votes[n]));
      const flips = decideFlips(items, all, sideways);
      flips.forEach((flip, i) => {
        if (!flip || (mode === 'rotated' && items[i].rotation !== 90)) return;
        items[i].quad = turn(items[i].quad, 2);
        items[i].rotation = (items[i].rotation + 180) % 360;
      });
    }
    const tRead = performance.now();
    const runBefore = this.stages.recRunMs;
    const reads = await this.readJobs(raster, items);
    this.stages.recPrepMs += performance.now() - tRead - (this.stages.recRunMs - runBefore);
    return reads.map((r, i) => ({ ...r, rotation: items[i].rotation }));
  }

  /** The recogniser over crops, in batches of similar width (rec-batches.ts: little of a batch is padding, as in PP-OCR). */
  private async readJobs(raster: RgbRaster, jobs: readonly RecJob[]): Promise<{ text: string; confidence: number }[]> {
    const r = this.m.recognition;
    const ratios = jobs.map((j) => j.w / Math.max(1e-6, j.h));
    const out: { text: string; confidence: number }[] = new Array(jobs.length);
    for (const { lines, width: batchWidth } of recognitionBatches(ratios, r)) {
      // Zeroed: the part right of each crop is the batch's padding.
      const tensor = this.recInput.take(lines.length * 3 * r.height * batchWidth, true);
      lines.forEach((i, n) => {
        const j = jobs[i];
        const width = Math.max(1, Math.min(batchWidth, Math.ceil(r.height * ratios[i])));
        warpQuadInto(raster, j.quad, j.w, j.h, r, { tensor, index: n, batchWidth, height: r.height, width });
      });
      const tRun = performance.now();
      const input = { [r.input]: new ort.Tensor('float32', tensor, [lines.length, 3, r.height, batchWidth]) };
      const best = this.recBest;
      const res = await this.s.rec.run(input, best ? [best.index, best.prob] : [r.output]);
      this.stages.recRunMs += performance.now() - tRun;
      if (best) {
        const index = res[best.index];
        const steps = (index.dims as number[])[1]!;
        const idx = index.data as BigInt64Array;
        const prob = res[best.prob].data as Float32Array;
        lines.forEach((i, n) => (out[i] = ctcDecodeBest(idx.subarray(n * steps, (n + 1) * steps), prob.subarray(n * steps, (n + 1) * steps), this.dictionary)));
      } else {
        const probs = res[r.output];
        const [, steps, classes] = probs.dims as number[];
        const data = probs.data as Float32Array;
        lines.forEach((i, n) => (out[i] = ctcGreedyDecode(data.subarray(n * steps * classes, (n + 1) * steps * classes), steps, classes, this.dictionary)));
      }
    }
    return out;
  }

  /** The classifier's answer per crop: upside down (label 180 above its threshold) or not. */
  private async classify(raster: RgbRaster, items: readonly { quad: Quad; w: number; h: number }[]): Promise<ClassVote[]> {
    const c = this.m.classifier;
    if (!c || !this.s.cls || items.length === 0) return items.map(() => ({ flipped: false }));
    const flipLabel = c.labels.indexOf(180);
    const votes: ClassVote[] = [];
    for (let start = 0; start < items.length; start += c.batch) {
      const chunk = items.slice(start, start + c.batch);
      const tensor = new Float32Array(chunk.length * 3 * c.height * c.width);
      chunk.forEach((it, n) => {
        const width = Math.max(1, Math.min(c.width, Math.ceil((c.height * it.w) / Math.max(1e-6, it.h))));
        warpQuadInto(raster, it.quad, it.w, it.h, c, { tensor, index: n, batchWidth: c.width, height: c.height, width });
      });
      const out = await this.s.cls.run({ [c.input]: new ort.Tensor('float32', tensor, [chunk.length, 3, c.height, c.width]) }, [c.output]);
      const p = out[c.output].data as Float32Array;
      const k = c.labels.length;
      chunk.forEach((_, n) => {
        let best = 0;
        for (let j = 1; j < k; j++) if (p[n * k + j] > p[n * k + best]) best = j;
        votes.push({ flipped: best === flipLabel && p[n * k + best] > c.threshold });
      });
    }
    return votes;
  }

  async close(): Promise<void> {
    await Promise.all([this.s.det, this.s.rec, this.s.cls].map((x) => x?.release()));
  }
}
