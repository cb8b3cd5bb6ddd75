/**
 * Worker-thread entry owning the OCR sessions, so detection and recognition (ONNX runs and the
 * JS post-processing around them) never block the thread that serves queries. workerData
 * {model?, options}; requests {op:'detect'|'recognise', ...} over util/worker-rpc.ts's protocol.
 * Pixel buffers are transferred.
 */
import { workerData } from 'node:worker_threads';
import { serveRequests } from '../../util/worker-rpc.ts';
import type { DetectedBox } from './db-postprocess.ts';
import type { DetPlan } from './det-plan.ts';
import { mapQuad, quadSize, type Point, type Quad } from './geometry.ts';
import { resolveOcrModel } from './manifest.ts';
import { OcrSessions, type OcrSessionInfo, type OcrSessionOptions, type OcrStageTimes, type RecognisedText } from './ocr-sessions.ts';
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
  | { id: number; ok: true; boxes?: DetectedBox[]; texts?: RecognisedText[]; ms: number; detMs?: number; stages: OcrStageTimes }
  | { id: number; ok: false; message: string };

export interface OcrWorkerInit {
  /** Model directory or manifest; absent = the shipped PP-OCRv4 model. */
  model?: string;
  options: OcrSessionOptions;
}

serveRequests<OcrWorkerRequest, Extract<OcrWorkerReply, { ok: true }>, OcrSessionInfo>('ocr-worker', async () => {
  const init = workerData as OcrWorkerInit;
  const sessions = await OcrSessions.open(resolveOcrModel(init.model), init.options);
  return {
    info: sessions.info,
    handle: async (req) => {
      const t0 = performance.now();
      sessions.takeStages();
      if (req.op === 'recognise') {
        const texts = await sessions.recognise(req.raster, req.quads);
        return { result: { texts, ms: performance.now() - t0, stages: sessions.takeStages() } };
      }
      const boxes = await sessions.detect(req.raster, req.plan, req.srcWidth, req.srcHeight);
      const detMs = performance.now() - t0;
      let texts: RecognisedText[] | undefined;
      const { scaleX, scaleY } = req.plan;
      const inRaster = boxes.map((b) => mapQuad(b.quad, ([x, y]): Point => [x * scaleX, y * scaleY]));
      const minSide = Math.min(...inRaster.map((q) => Math.min(quadSize(q).width, quadSize(q).height)));
      if (boxes.length > 0 && req.readIfMinHeight !== null && minSide >= req.readIfMinHeight) {
        texts = await sessions.recognise(req.raster, inRaster);
      }
      return { result: { boxes, texts, detMs, ms: performance.now() - t0, stages: sessions.takeStages() } };
    },
  };
});
