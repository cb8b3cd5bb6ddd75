/**
 * Reads the text of one photo: decode small for detection, stop there when there is no text,
 * otherwise read the boxes from a raster large enough that no crop is upscaled (the detection
 * raster itself for screenshots and big sign text; a second, larger decode for small print in big
 * photos). Lines come back with boxes in the original's upright pixel coordinates.
 */
import { OcrImage } from '../media/ocr-image.ts';
import { planDetection, regionPlan, type DetPlan } from '../ml/ocr/det-plan.ts';
import { mapQuad, quadSize, type Point, type Quad } from '../ml/ocr/geometry.ts';
import { resolveOcrModel, type ResolvedOcrModel } from '../ml/ocr/manifest.ts';
import type { DetectedBox } from '../ml/ocr/db-postprocess.ts';
import { noStageTimes, type OcrSessionInfo, type OcrSessionOptions, type OcrStageTimes, type RecognisedText } from '../ml/ocr/ocr-sessions.ts';
import { OcrWorkerClient } from '../ml/ocr/ocr-worker-client.ts';
import { pageFrame, readingOrder } from '../ml/ocr/reading-order.ts';

export interface OcrLine {
  /** As recognised (for display and copying); search uses its normalised form. */
  text: string;
  /** Mean character probability, 0..1. */
  confidence: number;
  /** Corners (top-left, top-right, bottom-right, bottom-left) in upright pixels of the original. */
  box: Quad;
}

export interface PhotoText {
  width: number;
  height: number;
  lines: OcrLine[];
  timings: PhotoTimings;
}

/**
 * ms per photo: decoding, detection (gate included), reading (classifier included), the whole;
 * and where the worker's time went (its stages, summed over the photo's requests; `gateMs` is the
 * gate's share of the detection).
 */
export type PhotoTimings = { decodeMs: number; detectMs: number; recogniseMs: number; totalMs: number } & Partial<OcrStageTimes> & { gateMs?: number };

function addStages(into: OcrStageTimes, s: OcrStageTimes | undefined): void {
  if (!s) return;
  for (const k of Object.keys(into) as (keyof OcrStageTimes)[]) into[k] += s[k] ?? 0;
}

/** The OCR model could not be loaded at all (not a problem of any one photo). */
export class OcrUnavailableError extends Error {
  override readonly name = 'OcrUnavailableError';
}

/** A plan scale at least this close to 1 means the detection raster is as good as the original. */
const FULL_RESOLUTION = 0.9;
/** The gate pass is skipped unless it has at most this share of the full detection's pixels. */
const GATE_WORTH = 0.6;
/** Read from a raster where the smallest box is this much taller than the recogniser's input. */
const CROP_HEADROOM = 1.33;

export class PhotoReader {
  private worker: Promise<OcrWorkerClient> | null = null;
  /** Closed: no worker is started again (a read racing close() would start one nobody stops). */
  private closed = false;
  readonly model: ResolvedOcrModel;

  /** `modelArg`: an OCR model directory or manifest; absent = the shipped PP-OCRv4 model. */
  constructor(
    private readonly options: OcrSessionOptions = {},
    private readonly modelArg?: string,
  ) {
    this.model = resolveOcrModel(modelArg);
  }

  /** Identifies what produced stored text: a different model id means the text is re-read. */
  get engineKey(): string {
    return this.model.manifest.id;
  }

  private async client(): Promise<OcrWorkerClient> {
    // A worker that died (e.g. a native crash on one photo) is replaced for the next photo.
    const current = await this.worker?.catch(() => null);
    // Checked after the wait: close() may have run meanwhile (Ctrl-C while a photo was read).
    if (this.closed) throw new OcrUnavailableError('the OCR reader was closed');
    if (current && !current.alive) this.worker = null;
    if (!this.worker) {
      this.worker = OcrWorkerClient.start(this.options, this.modelArg).catch((err: unknown) => {
        throw new OcrUnavailableError(`the OCR model could not be started: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      });
      // A failed start is not cached: the next photo tries again.
      this.worker.catch(() => (this.worker = null));
    }
    return this.worker;
  }

  async info(): Promise<OcrSessionInfo> {
    return (await this.client()).info;
  }

  async read(input: string | Buffer): Promise<PhotoText> {
    // Timings leave out starting the worker (once per reader), which is not the photo's cost.
    const worker = await this.client();
    const t0 = performance.now();
    const img = await OcrImage.open(input);
    const d = this.model.manifest.detection;
    const plan = planDetection(img.width, img.height, d);
    let decodeMs = performance.now() - t0;
    let gateMs = 0;
    const stages = noStageTimes();
    let det: { boxes: DetectedBox[]; texts?: RecognisedText[]; detMs: number; ms: number; stages?: OcrStageTimes } | null = null;
    let detScale = plan.scaleX;
    let fullPlan: DetPlan = plan;
    // Most photos hold no text: a detection pass at the gate size decides that for a fraction of
    // the cost; only where it finds something does the full-size detection run — and not even
    // then when every box the gate found is big enough there (a sign, a poster, a label shot
    // close): the full size would find the same boxes at a higher price.
    // Tall images (screenshots, scrolling captures) skip it: they nearly always hold text, and
    // their UI text is too small to see at the gate's size.
    const tall = img.height > d.maxAspect * img.width;
    const gate = d.gateSide && !tall ? planDetection(img.width, img.height, { ...d, maxSide: d.gateSide }) : null;
    if (gate && plan.tiles.length === 1 && gate.width * gate.height < GATE_WORTH * plan.width * plan.height) {
      const tGate = performance.now();
      const small = await img.raster(gate.width, gate.height);
      decodeMs += performance.now() - tGate;
      const found = await worker.detect(small, gate, img.width, img.height, null);
      gateMs = found.detMs;
      addStages(stages, found.stages);
      if (found.boxes.length === 0) {
        return { width: img.width, height: img.height, lines: [], timings: { decodeMs, detectMs: gateMs, recogniseMs: 0, totalMs: performance.now() - t0, gateMs, ...stages } };
      }
      const smallest = Math.min(...found.boxes.map((b) => Math.min(quadSize(b.quad).width, quadSize(b.quad).height))) * gate.scaleY;
      if ((d.gateTrustSide ?? 0) > 0 && smallest >= d.gateTrustSide!) {
        det = { boxes: found.boxes, detMs: 0, ms: 0 };
        detScale = gate.scaleX;
      } else if (d.gateRegion) {
        const m = d.gateRegion.margin * Math.max(img.width, img.height);
        const xs = found.boxes.flatMap((b) => b.quad.map(([x]) => x));
        const ys = found.boxes.flatMap((b) => b.quad.map(([, y]) => y));
        const rect = { x0: Math.min(...xs) - m, y0: Math.min(...ys) - m, x1: Math.max(...xs) + m, y1: Math.max(...ys) + m };
        fullPlan = regionPlan(plan, rect, d.gateRegion.worth, d.stride) ?? plan;
      }
    }
    const recH = this.model.manifest.recognition.height;
    if (!det) {
      const tDet = performance.now();
      const detRaster = await img.raster(plan.width, plan.height);
      decodeMs += performance.now() - tDet;
      // Read straight from the detection raster when its boxes are tall enough there; a big photo
      // detected near full size has nothing better to offer, so any box will do.
      const fullRes = Math.min(plan.scaleX, plan.scaleY) >= FULL_RESOLUTION * Math.min(1, img.maxScale);
      det = await worker.detect(detRaster, fullPlan, img.width, img.height, fullRes && img.maxScale <= 1 ? 0 : recH * (img.maxScale > 1 ? CROP_HEADROOM : 1));
      addStages(stages, det.stages);
    }
    let texts: RecognisedText[] | undefined = det.texts;
    let recogniseMs = det.ms - det.detMs;
    if (det.boxes.length > 0 && !texts) {
      const minSide = Math.min(...det.boxes.map((b) => Math.min(quadSize(b.quad).width, quadSize(b.quad).height)));
      const scale = Math.min(img.maxScale, Math.max(detScale, (recH * CROP_HEADROOM) / Math.max(1, minSide)));
      const t1 = performance.now();
      const raster = await img.raster(Math.max(1, Math.round(img.width * scale)), Math.max(1, Math.round(img.height * scale)), { last: true });
      decodeMs += performance.now() - t1;
      const sx = raster.width / img.width;
      const sy = raster.height / img.height;
      const rec = await worker.recognise(raster, det.boxes.map((b) => mapQuad(b.quad, ([x, y]): Point => [x * sx, y * sy])));
      texts = rec.texts;
      recogniseMs = rec.ms;
      addStages(stages, rec.stages);
    }
    const drop = this.model.manifest.recognition.dropScore;
    const lines: OcrLine[] = [];
    const read: RecognisedText[] = [];
    const boxes = det.boxes;
    boxes.forEach((b, i) => {
      const t = texts?.[i];
      if (!t) return;
      const text = t.text.trim();
      if (text.length === 0 || !(t.confidence >= drop)) return;
      lines.push({ text, confidence: Math.round(t.confidence * 10_000) / 10_000, box: b.quad });
      read.push(t);
    });
    return {
      width: img.width,
      height: img.height,
      lines: readingOrder(lines, pageFrame(read, img.width, img.height)),
      timings: { decodeMs, detectMs: gateMs + det.detMs, recogniseMs, totalMs: performance.now() - t0, gateMs, ...stages },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) await (await w.catch(() => null))?.close();
  }
}
