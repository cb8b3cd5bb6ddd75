/**
 * `models quantize`: an fp32 model → its int8 twin, checked against it before anyone uses it.
 * The int8 directory is written to a staging place, both models encode the check sample (the
 * person's photos and the tag prompts), the figures go into the new manifest, and only a model
 * within the bound is kept: installed beside the source (`<id>-int8`) or left in the named OUT
 * directory. Below the bound nothing is left behind and the figures come back in the error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ModelManifest } from '../ml/manifest.ts';
import { ModelRuntime } from '../ml/model-runtime.ts';
import type { TowerSessionOptions } from '../ml/onnx-session.ts';
import type { QuantizeModelOptions, QuantizeModelResult, QuantizeProgress } from '../ml/quantize/quantize-model.ts';
import { quantizeModelDirInWorker } from '../ml/quantize/in-worker.ts';
import { importModel } from './install.ts';
import { FIDELITY_BOUND, measureFidelity, passesBound, type FidelityProgress, type FidelityReport } from './quantize-fidelity.ts';
import { apiError } from '../../shared/api.ts';

export interface QuantizeRequest extends Pick<QuantizeModelOptions, 'id' | 'kernel' | 'keepProjection' | 'variableLength'> {
  sourceDir: string;
  /** Install into this models directory (as `<id>-int8`)… */
  modelsDir?: string;
  /** …or write the int8 model directory here. Exactly one of the two. */
  outDir?: string;
  photos: string[];
  prompts: string[];
  /** Where the photos came from, for the manifest and the report ("48 library photos"). */
  checkedOn: string;
  bound?: { meanCosine: number; minCosine: number };
  session?: TowerSessionOptions;
  replace?: boolean;
  onProgress?: (p: QuantizeProgress | FidelityProgress) => void;
  /** Stops between stages (and between check inputs); whatever was staged is removed. */
  signal?: AbortSignal;
}

export interface QuantizeOutcome {
  dir: string;
  manifest: ModelManifest;
  quantize: QuantizeModelResult;
  fidelity: FidelityReport;
  bound: { meanCosine: number; minCosine: number };
}

export class QuantizeRefusedError extends Error {
  readonly code = 'FIDELITY_TOO_LOW';
  constructor(
    message: string,
    readonly fidelity: FidelityReport,
    readonly quantize: QuantizeModelResult,
  ) {
    super(message);
  }
}

const f4 = (x: number): string => x.toFixed(4);

export async function quantizeAndCheck(req: QuantizeRequest): Promise<QuantizeOutcome> {
  if (Boolean(req.modelsDir) === Boolean(req.outDir)) throw new Error('quantize: give either a models directory to install into or an output directory');
  if (req.photos.length === 0) throw apiError('quantize-no-photos', {}, 'quantize: no photos to check the int8 model against (index some photos first, or name a folder with --check)');
  if (req.prompts.length === 0) throw new Error('quantize: no text prompts to check the int8 model against');
  const bound = req.bound ?? FIDELITY_BOUND;
  const staging = req.outDir ? path.resolve(req.outDir) : path.join(path.resolve(req.modelsDir!), '.partial', `quantize-${randomBytes(4).toString('hex')}`);
  // Never remove what we did not create: an existing non-empty OUT is refused before anything.
  if (fs.existsSync(staging) && fs.readdirSync(staging).length > 0) throw new Error(`${staging} exists and is not empty`);
  let keep = false;
  try {
    // The graph work runs in a worker thread: the engine keeps answering meanwhile.
    const quantize = await quantizeModelDirInWorker(req.sourceDir, staging, {
      id: req.id,
      kernel: req.kernel,
      keepProjection: req.keepProjection,
      variableLength: req.variableLength,
      onProgress: req.onProgress,
      signal: req.signal,
    });
    req.signal?.throwIfAborted();
    const fp32 = ModelRuntime.load(req.sourceDir, req.session);
    const int8 = ModelRuntime.load(staging, req.session);
    let fidelity: FidelityReport;
    try {
      fidelity = await measureFidelity(fp32, int8, { photos: req.photos, prompts: req.prompts, onProgress: req.onProgress, signal: req.signal });
    } finally {
      await Promise.all([fp32.close(), int8.close()]);
    }
    if (!passesBound(fidelity, bound)) {
      throw new QuantizeRefusedError(
        `the int8 model is not close enough to ${quantize.manifest.quantization!.sourceId} to be used: ` +
          `image cosine mean ${f4(fidelity.images.meanCosine)} / min ${f4(fidelity.images.minCosine)}, ` +
          `text cosine mean ${f4(fidelity.texts.meanCosine)} / min ${f4(fidelity.texts.minCosine)} ` +
          `(needed: mean ≥ ${bound.meanCosine}, min ≥ ${bound.minCosine}, on ${req.checkedOn}); nothing was installed`,
        fidelity,
        quantize,
      );
    }
    const manifest: ModelManifest = {
      ...quantize.manifest,
      quantization: {
        ...quantize.manifest.quantization!,
        fidelity: {
          images: fidelity.images,
          texts: fidelity.texts,
          top10Overlap: fidelity.top10Overlap,
          speedup: fidelity.speedup,
          checkedOn: req.checkedOn,
          bound,
        },
      },
    };
    await fs.promises.writeFile(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (req.outDir) {
      keep = true;
      return { dir: staging, manifest, quantize, fidelity, bound };
    }
    const installed = await importModel(staging, req.modelsDir!, { link: true, replace: req.replace });
    return { dir: installed.dir, manifest: installed.manifest ?? manifest, quantize, fidelity, bound };
  } finally {
    if (!keep) await fs.promises.rm(staging, { recursive: true, force: true });
  }
}
