/**
 * Main-thread handle on the OCR worker (ocr-worker.ts) over the shared worker protocol
 * (util/worker-rpc.ts): pixel buffers are transferred instead of copied, and everything in flight
 * is rejected if the worker dies.
 */
import { workerEntry, WorkerRpc } from '../../util/worker-rpc.ts';
import type { DetectedBox } from './db-postprocess.ts';
import type { DetPlan } from './det-plan.ts';
import type { Quad } from './geometry.ts';
import type { OcrSessionInfo, OcrSessionOptions, OcrStageTimes, RecognisedText } from './ocr-sessions.ts';
import type { OcrWorkerInit, OcrWorkerReply, OcrWorkerRequestBody } from './ocr-worker.ts';
import type { RgbRaster } from './raster.ts';

type Ok = Extract<OcrWorkerReply, { ok: true }>;

/** The raster's own buffer: refuses views into a shared one (e.g. Node's Buffer pool), which must not be detached. */
function transferable(raster: RgbRaster): ArrayBuffer {
  const d = raster.data;
  if (d.byteOffset !== 0 || d.byteLength !== d.buffer.byteLength) throw new RangeError('raster data must own its whole ArrayBuffer to be transferred');
  return d.buffer as ArrayBuffer;
}

export class OcrWorkerClient {
  private constructor(private readonly rpc: WorkerRpc<OcrWorkerRequestBody, Ok, OcrSessionInfo>) {}

  get info(): OcrSessionInfo {
    return this.rpc.info;
  }

  static async start(options: OcrSessionOptions = {}, model?: string): Promise<OcrWorkerClient> {
    const entry = workerEntry(import.meta.url, 'ocr-worker', 'SHIGUANG_OCR_WORKER');
    const rpc = await WorkerRpc.start<OcrWorkerRequestBody, Ok, OcrSessionInfo>(entry, { model, options } satisfies OcrWorkerInit, { label: 'OCR worker' });
    return new OcrWorkerClient(rpc);
  }

  /** False once the worker has died or been closed; requests then fail at once. */
  get alive(): boolean {
    return this.rpc.alive;
  }

  /**
   * Boxes in source coordinates, and their texts too when `readIfMinHeight` is set and every box
   * is at least that tall in this raster. The raster's buffer is transferred (unusable afterwards).
   */
  async detect(
    raster: RgbRaster,
    plan: DetPlan,
    srcWidth: number,
    srcHeight: number,
    readIfMinHeight: number | null = null,
  ): Promise<{ boxes: DetectedBox[]; texts?: RecognisedText[]; detMs: number; ms: number; stages: OcrStageTimes }> {
    const r = await this.rpc.request({ op: 'detect', raster, plan, srcWidth, srcHeight, readIfMinHeight }, [transferable(raster)]);
    return { boxes: r.boxes ?? [], texts: r.texts, detMs: r.detMs ?? r.ms, ms: r.ms, stages: r.stages };
  }

  /** Texts of quads given in the raster's coordinates. The raster's buffer is transferred. */
  async recognise(raster: RgbRaster, quads: Quad[]): Promise<{ texts: RecognisedText[]; ms: number; stages: OcrStageTimes }> {
    const r = await this.rpc.request({ op: 'recognise', raster, quads }, [transferable(raster)]);
    return { texts: r.texts ?? [], ms: r.ms, stages: r.stages };
  }

  /** Let requests already sent finish, then stop; anything left after the grace period is rejected. */
  close(graceMs = 10_000): Promise<void> {
    return this.rpc.close(graceMs);
  }
}
