/** The models service: the catalogue and installed models, downloads, choosing one, int8 versions. Works without a model (the first-run chooser). */
import { z } from 'zod';
import type { DownloadFailure } from '../download-messages.ts';
import type { ApiErrorDetail } from './errors.ts';

export type ModelPrecision = 'fp32' | 'fp16' | 'int8';

/** A model the user can choose: a catalogue entry (with the paper's figures) or an installed extra. */
export interface ModelChoice {
  id: string;
  name: string;
  /** False for an installed model outside the catalogue (an import, a test model). */
  catalogued: boolean;
  /** The catalogue's recommended first choice. */
  isDefault: boolean;
  /** Parameter counts in millions (Chinese-CLIP model card); null outside the catalogue. */
  params: { totalM: number; imageM: number; textM: number } | null;
  embeddingDim: number;
  /** Input image side in pixels. */
  resolution: number;
  speed: 'fast' | 'medium' | 'slow' | null;
  /** Zero-shot text-to-image retrieval R@1 (%) and ImageNet top-1 (%) from the paper; null = not published. */
  zeroShot: { mugeT2iR1: number | null; flickr30kCnT2iR1: number | null; imagenetTop1: number | null } | null;
  /** Hosted precisions and how many bytes each downloads (hosting site sizes, else params × bytes per weight). */
  downloads: { precision: ModelPrecision; bytes: number }[];
  /** A ready ONNX export is hosted: downloadModel works. */
  downloadable: boolean;
  /** When not downloadable: the official export steps (summary, then one step per line). */
  exportRoute: string | null;
  installed: boolean;
  installedPrecision: string | null;
  installedBytes: number | null;
  /** Chosen: new photos are encoded with it (useModel). */
  active: boolean;
  /** Answers queries right now. During a model switch the old model serves until the new vectors are built. */
  serving: boolean;
  /** Why an installed model cannot be used, or why the chosen one failed to open (English, for logs). */
  error: string | null;
  /** The same as a reason and its parameters, for the UI's words (model-unusable, model-open-failed, model-not-installed). */
  errorDetail?: ApiErrorDetail | null;
  /** For an int8 model made by quantizeModel: what it was measured at against its fp32 source. */
  quantization?: QuantizationFigures | null;
}

/** int8 vs its fp32 source, measured on the person's photos and the tag prompts before install. */
export interface QuantizationFigures {
  sourceId: string;
  /** Throughput ratios from the same interleaved run (> 1: int8 is faster). */
  speedup: { image: number; text: number };
  cosine: { image: { mean: number; min: number }; text: { mean: number; min: number } };
  /** Share of the fp32 top-10 the int8 model keeps: text → photos, photo → prompts. */
  top10Overlap: { textToImage: number; imageToText: number };
  /** How many photos and prompts it was checked on, and where the photos came from ("48 library photos"). */
  photos: number;
  prompts: number;
  checkedOn: string;
  bound: { meanCosine: number; minCosine: number };
}

/** A quantization the engine runs in the background (quantizeModel), as modelQuantizations reports it. */
export interface ModelQuantization {
  /** The fp32 model quantized, and the id the int8 model gets. */
  sourceId: string;
  targetId: string;
  /** refused: the int8 model missed the fidelity bound and was not installed. */
  state: 'running' | 'done' | 'failed' | 'refused';
  stage: 'image' | 'text' | 'parity' | 'manifest' | 'images' | 'texts' | 'install';
  /** Progress of the check stages (photos / prompts encoded), 0 of 0 otherwise. */
  done: number;
  total: number;
  figures: QuantizationFigures | null;
  error: string | null;
}

export interface ModelDownload {
  id: string;
  precision: ModelPrecision;
  state: 'running' | 'done' | 'failed';
  /** Bytes on disk so far (resumed bytes included) and the expected whole-model size. */
  bytes: number;
  total: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  etaSeconds: number | null;
  error: string | null;
  /** Stable reason when failed: NETWORK, TIMEOUT, DISK_SPACE, NO_SOURCE, INVALID_MODEL, ABORTED, … */
  errorCode: string | null;
  /** The failure as code + parameters + the sources tried, for downloadFailureText (shared/download-messages.ts). */
  failure: DownloadFailure | null;
  /** The source the bytes are coming from (or came from last). */
  source: string | null;
}

const modelId = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a model id like cn-clip-vit-b-16').max(200);

export const modelsRequests = {
  listModels: z.object({}).strict(),
  /** Starts a background download; poll modelDownloads. Precision default: fp32 where hosted, else the first hosted one. */
  downloadModel: z
    .object({
      id: modelId,
      precision: z.enum(['fp32', 'fp16', 'int8']).optional(),
      /** One-off source spec(s), comma separated; default: the settings' sources. */
      source: z.string().min(1).max(2000).optional(),
      /** The UI's language: orders the built-in sources when none are saved (zh-CN: reachable from mainland China first). */
      lang: z.enum(['zh-CN', 'en']).optional(),
    })
    .strict(),
  modelDownloads: z.object({}).strict(),
  useModel: z.object({ id: modelId }).strict(),
  /** Starts making `<id>-int8` from the installed fp32 model `id`, checked on the library's photos; poll modelQuantizations. */
  quantizeModel: z.object({ id: modelId }).strict(),
  modelQuantizations: z.object({}).strict(),
} as const;

export interface ModelsResponses {
  listModels: ModelChoice[];
  /** started: false when this model is already downloading, or already installed (alreadyInstalled). */
  downloadModel: { started: boolean; alreadyInstalled: boolean };
  modelDownloads: ModelDownload[];
  useModel: { ok: true };
  /** started: false when a quantization of this model is already running. */
  quantizeModel: { started: boolean; targetId: string };
  modelQuantizations: ModelQuantization[];
}
