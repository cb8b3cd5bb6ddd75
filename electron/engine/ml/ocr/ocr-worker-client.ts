/**
 * Main-thread handle on the OCR worker: correlates requests with replies, transfers pixel buffers
 * instead of copying them, and rejects everything in flight if the worker dies.
 */
import type { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { startWorker } from '../../util/worker.ts';
import type { DetectedBox } from './db-postprocess.ts';
import type { DetPlan } from './det-plan.ts';
import type { Quad } from './geometry.ts';
import type { OcrSessionInfo, OcrSessionOptions, RecognisedText } from './ocr-sessions.ts';
import type { OcrWorkerInit, OcrWorkerReply, OcrWorkerRequest, OcrWorkerRequestBody } from './ocr-worker.ts';
import type { RgbRaster } from './raster.ts';

type Ok = Extract<OcrWorkerReply, { ok: true }>;
type Pending = { resolve: (v: Ok) => void; reject: (e: Error) => void };

function workerEntry(): URL {
  const override = process.env.SHIGUANG_OCR_WORKER;
  if (override) return pathToFileURL(override);
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./ocr-worker${ext}`, import.meta.url);
}

/** The raster's own buffer: refuses views into a shared one (e.g. Node's Buffer pool), which must not be detached. */
function transferable(raster: RgbRaster): ArrayBuffer {
  const d = raster.data;
  if (d.byteOffset !== 0 || d.byteLength !== d.buffer.byteLength) throw new RangeError('raster data must own its whole ArrayBuffer to be transferred');
  return d.buffer as ArrayBuffer;
}

export class OcrWorkerClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly info: OcrSessionInfo,
  ) {
    worker.on('message', (msg: OcrWorkerReply) => {
      if (!('id' in msg)) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg);
      else p.reject(new Error(msg.message));
    });
    const fail = (err: Error): void => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new Error(`OCR worker crashed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`OCR worker exited (code ${code})`)));
  }

  static start(options: OcrSessionOptions = {}, model?: string): Promise<OcrWorkerClient> {
    const worker = startWorker(workerEntry(), { workerData: { model, options } satisfies OcrWorkerInit });
    return new Promise((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`OCR worker exited during start-up (code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (msg: OcrWorkerReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if ('type' in msg && msg.type === 'ready') resolve(new OcrWorkerClient(worker, msg.info));
        else {
          void worker.terminate();
          reject(new Error('type' in msg && msg.type === 'fatal' ? msg.message : 'OCR worker sent an unexpected first message'));
        }
      });
    });
  }

  /** False once the worker has died or been closed; requests then fail at once. */
  get alive(): boolean {
    return this.dead === null;
  }

  private request(req: OcrWorkerRequestBody, transfer: ArrayBuffer[]): Promise<Ok> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id } as OcrWorkerRequest, transfer);
    });
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
  ): Promise<{ boxes: DetectedBox[]; texts?: RecognisedText[]; detMs: number; ms: number }> {
    const r = await this.request({ op: 'detect', raster, plan, srcWidth, srcHeight, readIfMinHeight }, [transferable(raster)]);
    return { boxes: r.boxes ?? [], texts: r.texts, detMs: r.detMs ?? r.ms, ms: r.ms };
  }

  /** Texts of quads given in the raster's coordinates. The raster's buffer is transferred. */
  async recognise(raster: RgbRaster, quads: Quad[]): Promise<{ texts: RecognisedText[]; ms: number }> {
    const r = await this.request({ op: 'recognise', raster, quads }, [transferable(raster)]);
    return { texts: r.texts ?? [], ms: r.ms };
  }

  /** Let requests already sent finish, then stop; anything left after the grace period is rejected. */
  async close(graceMs = 10_000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.pending.size > 0 && !this.dead && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.worker.removeAllListeners('exit');
    const err = new Error('OCR worker closed');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.dead = err;
    await this.worker.terminate();
  }
}
