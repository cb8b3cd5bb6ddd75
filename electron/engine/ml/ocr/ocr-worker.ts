/**
 * Worker-thread entry owning the OCR sessions, so detection and recognition (ONNX runs and the
 * JS post-processing around them) never block the thread that serves queries. Protocol:
 * workerData {model?, options}; posts {type:'ready', info} or {type:'fatal', message}; then
 * answers {id, op:'detect'|'recognise', ...} with {id, ok, ...}. Pixel buffers are transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DetectedBox } from './db-postprocess.ts';
import type { DetPlan } from './det-plan.ts';
import { mapQuad, quadSize, type Point, type Quad } from './geometry.ts';
import { resolveOcrModel } from './manifest.ts';
import { OcrSessions, type OcrSessionInfo, type OcrSessionOptions, type RecognisedText } from './ocr-sessions.ts';
import type { RgbRaster } from './raster.ts';

export type OcrWorkerRequestBody =
  | {
      op: 'detect';
      raster: RgbRaster;
      plan: DetPlan;
      srcWidth: number;
      srcHeight: number;
      /**
       * Also read the boxes from this raster when every box's short side is at least this many
       * raster pixels (so its crop is not upscaled); null: detection only.
       */
      readIfMinHeight: number | null;
    }
  | { op: 'recognise'; raster: RgbRaster; quads: Quad[] };
export type OcrWorkerRequest = OcrWorkerRequestBody & { id: number };

export type OcrWorkerReply =
  | { type: 'ready'; info: OcrSessionInfo }
  | { type: 'fatal'; message: string }
  | { id: number; ok: true; boxes?: DetectedBox[]; texts?: RecognisedText[]; ms: number; detMs?: number }
  | { id: number; ok: false; message: string };

export interface OcrWorkerInit {
  /** Model directory or manifest; absent = the shipped PP-OCRv4 model. */
  model?: string;
  options: OcrSessionOptions;
}

const port = parentPort;
if (!port) throw new Error('ocr-worker must run in a worker thread');

async function main(init: OcrWorkerInit): Promise<void> {
  let sessions: OcrSessions;
  try {
    sessions = await OcrSessions.open(resolveOcrModel(init.model), init.options);
  } catch (err) {
    port!.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) } satisfies OcrWorkerReply);
    return;
  }
  port!.postMessage({ type: 'ready', info: sessions.info } satisfies OcrWorkerReply);
  // One request at a time: ORT already spreads one run over every intra-op thread.
  let queue = Promise.resolve();
  port!.on('message', (req: OcrWorkerRequest) => {
    queue = queue.then(async () => {
      const t0 = performance.now();
      try {
        if (req.op === 'detect') {
          const boxes = await sessions.detect(req.raster, req.plan, req.srcWidth, req.srcHeight);
          const detMs = performance.now() - t0;
          let texts: RecognisedText[] | undefined;
          const { scaleX, scaleY } = req.plan;
          const inRaster = boxes.map((b) => mapQuad(b.quad, ([x, y]): Point => [x * scaleX, y * scaleY]));
          const minSide = Math.min(...inRaster.map((q) => Math.min(quadSize(q).width, quadSize(q).height)));
          if (boxes.length > 0 && req.readIfMinHeight !== null && minSide >= req.readIfMinHeight) {
            texts = await sessions.recognise(req.raster, inRaster);
          }
          port!.postMessage({ id: req.id, ok: true, boxes, texts, detMs, ms: performance.now() - t0 } satisfies OcrWorkerReply);
        } else {
          const texts = await sessions.recognise(req.raster, req.quads);
          port!.postMessage({ id: req.id, ok: true, texts, ms: performance.now() - t0 } satisfies OcrWorkerReply);
        }
      } catch (err) {
        port!.postMessage({ id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies OcrWorkerReply);
      }
    });
  });
}

void main(workerData as OcrWorkerInit);
