/**
 * The OCR graphs on ONNX Runtime: text detection (DB), the optional 0°/180° direction classifier
 * and CTC recognition, opened on the execution provider the encoders would get (same order, same
 * fallbacks, a first test inference before a provider is accepted). Runs inside the OCR worker
 * thread (./ocr-worker.ts): `run()` blocks the thread it is called on.
 */
import { intraOpThreads } from '../threads.ts';
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { onnxruntimeBinDir, providerOrder, selectProvider, type BackendInfo, type ProviderFallback, type ProviderName, type ProviderPreference } from '../providers.ts';
import { ctcGreedyDecode, parseDictionary } from './ctc.ts';
import { boxesFromProbabilityMap, type DetectedBox } from './db-postprocess.ts';
import type { DetPlan } from './det-plan.ts';
import { mapQuad, quadCentre, quadSize, type Point, type Quad } from './geometry.ts';
import { orientLines, turn } from './orientation.ts';
import type { OcrManifest, ResolvedOcrModel } from './manifest.ts';
import { detectorInput, warpQuadInto, type RgbRaster } from './raster.ts';

/** When the 0°/180° direction classifier runs: on every line, only on lines turned from vertical boxes, or never. */
export type ClassifierUse = 'all' | 'rotated' | 'never';

export interface OcrSessionOptions {
  provider?: ProviderPreference;
  threads?: number;
  enableWebgpu?: boolean;
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

export interface RecognisedText {
  text: string;
  confidence: number;
  /** Degrees the crop was turned before reading: 0, 90 (vertical box), 180 or 270. */
  rotation: number;
}

interface Sessions {
  det: ort.InferenceSession;
  rec: ort.InferenceSession;
  cls: ort.InferenceSession | null;
}

async function createSessions(model: ResolvedOcrModel, provider: ProviderName, threads: number, withCls: boolean): Promise<Sessions> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
  // Bytes rather than paths: inside a packaged app the files sit in app.asar, which only
  // Node's patched fs can read.
  const open = (file: string): Promise<ort.InferenceSession> => ort.InferenceSession.create(fs.readFileSync(file), options);
  const opened: ort.InferenceSession[] = [];
  try {
    const det = await open(model.detGraph);
    opened.push(det);
    const rec = await open(model.recGraph);
    opened.push(rec);
    const cls = withCls && model.clsGraph ? await open(model.clsGraph) : null;
    if (cls) opened.push(cls);
    return { det, rec, cls };
  } catch (err) {
    await Promise.all(opened.map((s) => s.release().catch(() => undefined)));
    throw err;
  }
}

export class OcrSessions {
  private readonly dictionary: string[];

  private constructor(
    private readonly s: Sessions,
    private readonly m: OcrManifest,
    readonly info: OcrSessionInfo,
    dictionaryText: string,
  ) {
    this.dictionary = parseDictionary(dictionaryText, m.recognition.useSpaceChar);
  }

  static async open(model: ResolvedOcrModel, opts: OcrSessionOptions = {}): Promise<OcrSessions> {
    const threads = intraOpThreads(opts.threads);
    // Every line by default: photos of documents taken from above are often upside down (the
    // phone cannot tell), and read as garbage without it; the classifier's cost is small next to
    // recognition (measured in the bench: BENCH_ONLY=ocr, "classifier").
    const classifier: ClassifierUse = model.clsGraph ? (opts.classifier ?? 'all') : 'never';
    const order = providerOrder(process.platform, process.arch, opts.provider ?? 'auto', { enableWebgpu: opts.enableWebgpu });
    const backends = opts.backends ?? ort.listSupportedBackends();
    const dictionaryText = fs.readFileSync(model.dictionaryPath, 'utf8');
    const { provider, value, fallbacks } = await selectProvider(order, backends, onnxruntimeBinDir(), async (ep) => {
      const sessions = await createSessions(model, ep, threads, classifier !== 'never');
      try {
        const probe = new OcrSessions(sessions, model.manifest, { modelId: model.manifest.id, provider: ep, fallbacks: [], classifier }, dictionaryText);
        await probe.selfTest();
        return sessions;
      } catch (err) {
        await Promise.all([sessions.det, sessions.rec, sessions.cls].map((x) => x?.release().catch(() => undefined)));
        throw err;
      }
    });
    return new OcrSessions(value, model.manifest, { modelId: model.manifest.id, provider, fallbacks, classifier }, dictionaryText);
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
    const d = this.m.detection;
    if (raster.width !== plan.width || raster.height !== plan.height) {
      throw new RangeError(`detection raster is ${raster.width}×${raster.height}, the plan wants ${plan.width}×${plan.height}`);
    }
    const out: DetectedBox[] = [];
    for (const tile of plan.tiles) {
      const input = new ort.Tensor('float32', detectorInput(raster, tile, d), [1, 3, tile.height, tile.width]);
      const result = await this.s.det.run({ [d.input]: input }, [d.output]);
      const map = result[d.output];
      const [, , mh, mw] = map.dims as number[];
      const boxes = boxesFromProbabilityMap(map.data as Float32Array, mw, mh, d);
      for (const b of boxes) {
        // Map pixels → tile pixels (the map may be smaller than its input) → whole raster.
        const inRaster = mapQuad(b.quad, ([x, y]): Point => [tile.x + (x * tile.width) / mw, tile.y + (y * tile.height) / mh]);
        const [cx, cy] = quadCentre(inRaster);
        const c = tile.core;
        if (cx < c.x0 || cx >= c.x1 || cy < c.y0 || cy >= c.y1) continue;
        const quad = mapQuad(inRaster, ([x, y]): Point => [
          Math.min(srcWidth, Math.max(0, Math.round(x / plan.scaleX))),
          Math.min(srcHeight, Math.max(0, Math.round(y / plan.scaleY))),
        ]);
        const { width, height } = quadSize(quad);
        // PP-OCR drops boxes with a side of 3 px or less in the source image.
        if (width <= 3 || height <= 3) continue;
        out.push({ quad, score: b.score });
      }
    }
    return out;
  }

  /** Read each quad (corners in the raster's coordinates, reading order) of the raster. */
  async recognise(raster: RgbRaster, quads: readonly Quad[]): Promise<RecognisedText[]> {
    const items = orientLines(quads);
    if (this.s.cls && this.info.classifier !== 'never') {
      const candidates = items.filter((it) => this.info.classifier === 'all' || it.rotation === 90);
      const flips = await this.classify(raster, candidates);
      candidates.forEach((it, i) => {
        if (!flips[i]) return;
        it.quad = turn(it.quad, 2);
        it.rotation = (it.rotation + 180) % 360;
      });
    }
    const results: RecognisedText[] = new Array(items.length);
    const r = this.m.recognition;
    // Similar aspect ratios share a batch, so little of it is padding (as PP-OCR does).
    const order = items.map((_, i) => i).sort((a, b) => items[a].w / items[a].h - items[b].w / items[b].h);
    for (let start = 0; start < order.length; start += r.batch) {
      const idx = order.slice(start, start + r.batch);
      const ratios = idx.map((i) => items[i].w / Math.max(1e-6, items[i].h));
      const batchWidth = Math.max(r.minWidth, Math.ceil(r.height * Math.max(...ratios)));
      const tensor = new Float32Array(idx.length * 3 * r.height * batchWidth);
      idx.forEach((i, n) => {
        const width = Math.max(1, Math.min(batchWidth, Math.ceil(r.height * ratios[n])));
        warpQuadInto(raster, items[i].quad, items[i].w, items[i].h, r, { tensor, index: n, batchWidth, height: r.height, width });
      });
      const out = await this.s.rec.run({ [r.input]: new ort.Tensor('float32', tensor, [idx.length, 3, r.height, batchWidth]) }, [r.output]);
      const probs = out[r.output];
      const [, steps, classes] = probs.dims as number[];
      const data = probs.data as Float32Array;
      idx.forEach((i, n) => {
        const decoded = ctcGreedyDecode(data.subarray(n * steps * classes, (n + 1) * steps * classes), steps, classes, this.dictionary);
        results[i] = { ...decoded, rotation: items[i].rotation };
      });
    }
    return results;
  }

  /** Which crops the classifier reads as upside down (label 180 with enough confidence). */
  private async classify(raster: RgbRaster, items: readonly { quad: Quad; w: number; h: number }[]): Promise<boolean[]> {
    const c = this.m.classifier;
    if (!c || !this.s.cls || items.length === 0) return items.map(() => false);
    const flipLabel = c.labels.indexOf(180);
    const flips: boolean[] = [];
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
        flips.push(best === flipLabel && p[n * k + best] > c.threshold);
      });
    }
    return flips;
  }

  async close(): Promise<void> {
    await Promise.all([this.s.det, this.s.rec, this.s.cls].map((x) => x?.release()));
  }
}
