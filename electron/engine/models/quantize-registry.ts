/**
 * Quantizations the app runs in the background (one per source model), with the progress the
 * settings dialog polls. Each runs `quantizeAndCheck` in this process — the engine process in
 * the desktop app (never Electron's main thread), `serve` in the web mode — on a sample of the
 * library's photos and the tag prompts; the int8 model is installed beside its source only within
 * the fidelity bound, and its figures are kept in its manifest for the model list to show.
 */
import path from 'node:path';
import { apiError, type ModelQuantization, type QuantizationFigures } from '../../shared/api.ts';
import type { QuantizationInfo } from '../ml/manifest.ts';
import type { TowerSessionOptions } from '../ml/onnx-session.ts';
import { allTagPrompts, spreadSample } from '../tags/all-prompts.ts';
import type { Logger } from '../util/log.ts';
import { listInstalled } from './install.ts';
import { FIDELITY_BOUND, type FidelityReport } from './quantize-fidelity.ts';
import { quantizeAndCheck, QuantizeRefusedError } from './quantize-install.ts';
import { libraryCheckPhotos } from './quantize-samples.ts';

export const CHECK_PHOTOS = 48;
export const CHECK_PROMPTS = 256;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function figuresOf(f: Pick<FidelityReport, 'images' | 'texts' | 'top10Overlap' | 'speedup'>, sourceId: string, checkedOn: string, bound: QuantizationFigures['bound']): QuantizationFigures {
  return {
    sourceId,
    speedup: f.speedup,
    cosine: { image: { mean: f.images.meanCosine, min: f.images.minCosine }, text: { mean: f.texts.meanCosine, min: f.texts.minCosine } },
    top10Overlap: f.top10Overlap,
    photos: f.images.count,
    prompts: f.texts.count,
    checkedOn,
    bound,
  };
}

/** The figures a manifest records (models quantize, CLI or app), for the model list. */
export function figuresFromManifest(q: QuantizationInfo | undefined): QuantizationFigures | null {
  const f = q?.fidelity;
  return f && q ? figuresOf(f, q.sourceId, f.checkedOn, f.bound) : null;
}

export class QuantizeRegistry {
  private readonly tasks = new Map<string, { status: ModelQuantization; done: Promise<void>; controller: AbortController }>();
  private closing = false;

  constructor(
    private readonly opts: {
      modelsDir: string;
      dbPath: string;
      session: () => TowerSessionOptions;
      log: Logger;
      /** After an int8 model is installed (the model list changes). */
      onInstalled?: (id: string) => void;
    },
  ) {}

  list(): ModelQuantization[] {
    return [...this.tasks.values()].map((t) => ({ ...t.status }));
  }

  start(sourceId: string): { started: boolean; targetId: string } {
    if (this.closing) throw apiError('engine-closing', {}, 'the engine is shutting down');
    const running = this.tasks.get(sourceId);
    if (running?.status.state === 'running') return { started: false, targetId: running.status.targetId };
    const source = listInstalled(this.opts.modelsDir).find((m) => m.id === sourceId);
    if (!source || source.error || !source.manifest) throw (source?.error
        ? apiError('model-unusable', { model: sourceId }, `${sourceId} is not installed (${source.error})`)
        : apiError('model-not-installed', { model: sourceId }, `${sourceId} is not installed`));
    if (source.manifest.precision !== 'fp32') throw apiError('quantize-not-fp32', { model: sourceId, precision: source.manifest.precision }, `${sourceId} is ${source.manifest.precision}: only an fp32 model can be quantized`);
    const targetId = `${sourceId}-int8`;
    const photos = libraryCheckPhotos(this.opts.dbPath, CHECK_PHOTOS);
    if (photos.length === 0) throw apiError('quantize-no-photos', {}, 'the library has no indexed photos to check an int8 model on yet: add a folder and let it index first');
    const checkedOn = `${photos.length} library photos`;
    const status: ModelQuantization = { sourceId, targetId, state: 'running', stage: 'image', done: 0, total: 0, figures: null, error: null };
    const controller = new AbortController();
    const done = quantizeAndCheck({
      signal: controller.signal,
      sourceDir: path.join(this.opts.modelsDir, sourceId),
      modelsDir: this.opts.modelsDir,
      photos,
      prompts: spreadSample(allTagPrompts(), CHECK_PROMPTS),
      checkedOn,
      session: this.opts.session(),
      replace: true,
      onProgress: (p) => {
        if ('phase' in p) Object.assign(status, { stage: p.phase, done: p.done, total: p.total });
        else Object.assign(status, { stage: p.stage, done: 0, total: 0 });
      },
    }).then(
      (outcome) => {
        Object.assign(status, { state: 'done', stage: 'install', figures: figuresOf(outcome.fidelity, sourceId, checkedOn, outcome.bound) });
        this.opts.log.info(`quantized ${sourceId} → ${targetId}: image ×${outcome.fidelity.speedup.image.toFixed(2)}, cos ${outcome.fidelity.images.meanCosine.toFixed(4)}`);
        this.opts.onInstalled?.(targetId);
      },
      (err: unknown) => {
        if (err instanceof QuantizeRefusedError) {
          Object.assign(status, { state: 'refused', figures: figuresOf(err.fidelity, sourceId, checkedOn, { ...FIDELITY_BOUND }), error: err.message });
        } else Object.assign(status, { state: 'failed', error: message(err) });
        this.opts.log.warn(`quantizing ${sourceId} did not install: ${message(err)}`);
      },
    );
    this.tasks.set(sourceId, { status, done, controller });
    return { started: true, targetId };
  }

  /** Stops running quantizations at their next step (nothing half-written is left) and waits for them. */
  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.tasks.values()) t.controller.abort(new Error('the engine is shutting down'));
    await Promise.all([...this.tasks.values()].map((t) => t.done));
  }

  /** Waits for running quantizations to finish (tests, the CLI). */
  async settled(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((t) => t.done));
  }
}
