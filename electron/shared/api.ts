/**
 * The one API contract between the renderer and the engine, whatever carries it (Electron IPC via
 * the preload, or HTTP in the local web mode). Method names, request schemas (validated on the
 * engine side of every transport) and response types are declared once, here.
 *
 * Pure TypeScript + zod: imports nothing from Node, the DOM or Electron.
 */
import { z } from 'zod';
import { MAX_PAGE_SIZE } from './paging.ts';

export { MAX_PAGE_SIZE, UI_PAGE_SIZE } from './paging.ts';

// ---------- domain types ----------

export interface PhotoHit {
  id: number;
  path: string;
  /** Cosine similarity in [-1, 1]; higher is better. */
  score: number;
  fileName: string;
  folder: string;
  width: number | null;
  height: number | null;
  takenAt: string | null; // ISO 8601
  tags?: { name: string; score: number }[];
  /** Text searches: why the photo is in the list — the text in it, its looks, or both. */
  matchedBy?: 'text' | 'visual' | 'both';
  /** When it matched by text: the line(s) that matched, as recognised, and the match's range in them. */
  matchedText?: { text: string; start: number; end: number };
}

/** What a text search matches: photos that look like the query, photos whose text holds it, or both in one list. */
export type SearchMode = 'all' | 'visual' | 'text';

export interface PhotoDetail extends Omit<PhotoHit, 'score' | 'matchedBy' | 'matchedText'> {
  size: number;
  mtime: string;
  cameraMake: string | null;
  cameraModel: string | null;
  gps: { lat: number; lon: number } | null;
  status: 'pending' | 'indexed' | 'skipped';
  skipReason: string | null;
  tags: { name: string; score: number }[];
}

export interface WatchedFolder {
  id: number;
  path: string;
  photoCount: number;
  /** Set while the folder is away (a drive unplugged, a share not mounted): its photos are kept. */
  offline?: FolderOffline | null;
}

/** Why a library folder is offline (engine/library/root-availability.ts). */
export type FolderOfflineReason = 'missing' | 'not-a-folder' | 'unreadable' | 'timeout' | 'mount-changed';

export interface FolderOffline {
  /** ISO 8601: when it was first found away. */
  since: string;
  reason: FolderOfflineReason;
}

export interface IndexProgress {
  /** True while a scan or encoding pass is running. */
  running: boolean;
  done: number;
  total: number;
  /** Photos encoded per second over the recent window. */
  rate: number;
  etaSeconds: number | null;
  current: string | null;
}

export interface ProviderReport {
  /** The execution provider in use, e.g. 'cpu', 'cuda', 'dml', 'coreml'. */
  name: string;
  /** Providers tried before it and why they were not used. */
  fallbacks: { provider: string; reason: string }[];
  /** Advice about this combination, e.g. an fp16 graph running on the CPU. */
  notes?: string[];
}

export interface EngineStatus {
  counts: { indexed: number; pending: number; skipped: number };
  progress: IndexProgress;
  model: { id: string; name: string; embeddingDim: number } | null;
  provider: ProviderReport | null;
  /** Reading the text in photos, apart from embedding them; null without a model. */
  ocr: OcrStatus | null;
  /** Library folders that are away right now; their photos are kept and still found, marked offline. */
  offlineFolders?: (FolderOffline & { id: number; path: string })[];
  /**
   * Changes whenever an indexing pass or tagging changed what lists show (albums, tags, folders):
   * reload them when it differs from the last one seen — however quick the pass was.
   */
  libraryGeneration?: number;
}

export interface OcrStatus {
  /** The setting: when off, no photo is read (text already read stays searchable). */
  enabled: boolean;
  /** A pass is reading photos now (it waits while photos are being embedded). */
  running: boolean;
  /** Indexed photos read at their current content (with or without text), failed, still to read. */
  done: number;
  failed: number;
  pending: number;
  /** Read photos in which text was found. */
  withText: number;
  /** Photos per second over the recent window. */
  rate: number;
  etaSeconds: number | null;
  current: string | null;
  /** The OCR model's id, e.g. pp-ocrv4-ch. */
  model: string;
  /** The execution provider OCR runs on, once started. */
  provider: string | null;
  /** Why the last pass stopped early, if it did (e.g. the OCR model could not be loaded). */
  error: string | null;
}

export type OcrPoint = [number, number];

export interface PhotoTextLine {
  /** As recognised: for display and copying. */
  text: string;
  /** Mean character probability, 0..1. */
  confidence: number;
  /** Corners top-left, top-right, bottom-right, bottom-left in the photo's upright pixels. */
  box: [OcrPoint, OcrPoint, OcrPoint, OcrPoint];
}

export interface PhotoText {
  photoId: number;
  /** read: lines are the photo's text (maybe none); failed: could not be read; pending: not read yet; off: OCR is turned off. */
  state: 'read' | 'failed' | 'pending' | 'off';
  /** The upright size the boxes refer to. */
  width: number | null;
  height: number | null;
  lines: PhotoTextLine[];
  error: string | null;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

/** Why a result list stops before every matching photo (see SearchResponse.limit). */
export type ResultLimitReason =
  /** The vector index is being built; until then sqlite-vec answers, and its KNN stops at maxResults. */
  | 'index-building'
  /** Search is set to sqlite-vec only (SHIGUANG_VECTOR_INDEX=sqlite, or a one-shot CLI query). */
  | 'sqlite-only'
  /** Asked while a write transaction was open (engine-internal callers only). */
  | 'in-transaction';

export interface SearchResponse {
  /** One page: the best `limit` matches after the cursor (or the first ones), best first. */
  hits: PhotoHit[];
  /** Milliseconds spent encoding the query (0 when it was cached from an earlier page) and searching vectors. */
  textMs: number;
  searchMs: number;
  /**
   * Pass back as `cursor`, with the same query and filters, for the next page; null when there is
   * no next page — either every matching photo has been returned, or `limit` says where it stopped.
   */
  nextCursor: string | null;
  /** Present when the results stop short of every matching photo: at most maxResults can be paged to, and why. */
  limit?: { maxResults: number; reason: ResultLimitReason };
  /** How many photos pass the filters (when the index answered). */
  matched?: number;
}

export interface TagInfo {
  name: string;
  nameEn: string | null;
  family: string;
  custom: boolean;
  photoCount: number;
}

export interface AlbumSummary {
  folder: string;
  photoCount: number;
  title: string;
  tags: { name: string; weight: number }[];
}

/** A model the user can choose: a catalogue entry (with the paper's figures) or an installed extra. */
export type ModelPrecision = 'fp32' | 'fp16' | 'int8';

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
  /** Why an installed model cannot be used, or why the chosen one failed to open. */
  error: string | null;
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
  /** The source the bytes are coming from (or came from last). */
  source: string | null;
}

export interface EngineSettings {
  /** Execution provider preference: 'auto' or one of providerChoices. */
  provider: string;
  /** ONNX Runtime intra-op threads; null = all cores. */
  threads: number | null;
  /** Model download sources, tried in order (built-in names, hf:URL, modelscope:URL or a plain URL). */
  sources: string[];
  providerChoices: string[];
  /** The built-in source names. */
  sourceChoices: string[];
  /** Set when an environment variable replaces `sources` for downloads (its name). */
  sourcesOverriddenBy: string | null;
  /** Read the text in photos (OCR) so it can be searched. On by default. */
  ocrEnabled: boolean;
}

export interface Capabilities {
  /** Native folder picker, reveal in folder and open with the system viewer (desktop only). */
  nativeShell: boolean;
  transport: 'ipc' | 'http';
  /** The services this transport registered; methods of any other service answer UNSUPPORTED. */
  services: ServiceName[];
}

// ---------- request schemas ----------

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'expected an ISO date like 2024-05-01');
const limit = z.number().int().min(1).max(100_000).default(200);

const pageLimit = z.number().int().min(1).max(MAX_PAGE_SIZE).default(200);
/** Opaque: the nextCursor of the previous page of the same query. */
const cursor = z.string().min(1).max(512).optional();
const modelId = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a model id like cn-clip-vit-b-16').max(200);

export const searchFilters = z.object({
  folder: z.string().min(1).max(4096).optional(),
  after: isoDate.optional(),
  before: isoDate.optional(),
  tag: z.string().min(1).max(200).optional(),
});

export const requestSchemas = {
  capabilities: z.object({}).strict(),
  status: z.object({}).strict(),
  search: z
    .object({
      query: z.string().min(1).max(1000),
      limit: pageLimit,
      cursor,
      /** all (default): the text in photos and their looks fused in one ranked list. */
      mode: z.enum(['all', 'visual', 'text']).default('all'),
    })
    .merge(searchFilters)
    .strict(),
  similar: z.object({ photoId: z.number().int().positive(), limit: pageLimit, cursor }).merge(searchFilters).strict(),
  /** An image dropped on the window: its bytes (base64), not a path, so both transports work. */
  similarToImage: z
    .object({ dataBase64: z.string().min(1).max(80_000_000), limit: pageLimit, cursor })
    .merge(searchFilters)
    .strict(),
  photo: z.object({ photoId: z.number().int().positive() }).strict(),
  /** The text read in one photo, with boxes (the viewer's overlay). */
  photoText: z.object({ photoId: z.number().int().positive() }).strict(),
  listFolders: z.object({}).strict(),
  addFolder: z.object({ path: z.string().min(1).max(4096) }).strict(),
  removeFolder: z.object({ folderId: z.number().int().positive() }).strict(),
  listSkipped: z
    .object({ limit: z.number().int().min(1).max(10_000).default(500), offset: z.number().int().min(0).default(0) })
    .strict(),
  listTags: z.object({}).strict(),
  photosByTag: z.object({ tag: z.string().min(1).max(200), limit }).strict(),
  albums: z.object({}).strict(),
  addCustomTag: z.object({ name: z.string().trim().min(1).max(100) }).strict(),
  removeTag: z.object({ name: z.string().min(1).max(200) }).strict(),
  /** Desktop only (Capabilities.nativeShell). */
  chooseFolders: z.object({}).strict(),
  revealPhoto: z.object({ photoId: z.number().int().positive() }).strict(),
  openPhoto: z.object({ photoId: z.number().int().positive() }).strict(),
  /** Models: work without a model (the first-run chooser). */
  listModels: z.object({}).strict(),
  /** Starts a background download; poll modelDownloads. Precision default: fp32 where hosted, else the first hosted one. */
  downloadModel: z
    .object({
      id: modelId,
      precision: z.enum(['fp32', 'fp16', 'int8']).optional(),
      /** One-off source spec(s), comma separated; default: the settings' sources. */
      source: z.string().min(1).max(2000).optional(),
    })
    .strict(),
  modelDownloads: z.object({}).strict(),
  useModel: z.object({ id: modelId }).strict(),
  /** Starts making `<id>-int8` from the installed fp32 model `id`, checked on the library's photos; poll modelQuantizations. */
  quantizeModel: z.object({ id: modelId }).strict(),
  modelQuantizations: z.object({}).strict(),
  settings: z.object({}).strict(),
  /** After LIBRARY_DAMAGED, once the person agreed: set the damaged file aside and rebuild from the photos. */
  rebuildLibrary: z.object({}).strict(),
  updateSettings: z
    .object({
      provider: z.string().min(1).max(40).optional(),
      /** null = all cores. */
      threads: z.number().int().min(1).max(1024).nullable().optional(),
      /** [] = back to the built-in order. */
      sources: z.array(z.string().min(1).max(2000)).max(32).optional(),
      ocrEnabled: z.boolean().optional(),
    })
    .strict(),
} as const;

export type ApiMethod = keyof typeof requestSchemas;

/**
 * Every method belongs to exactly one service. Each service has its own handler interface
 * (ServiceHandlers in handlers.ts), implemented where it lives (library, search, tags and models in
 * the engine, shell in the Electron main process) and registered by each transport that has it:
 * a transport without a service (the web mode has no native shell) simply does not register it.
 * `transport` is answered by the transport itself, from what it registered.
 */
export const apiServices = {
  transport: ['capabilities'],
  system: ['status', 'rebuildLibrary'],
  library: ['photo', 'listFolders', 'addFolder', 'removeFolder', 'listSkipped'],
  search: ['search', 'similar', 'similarToImage'],
  tags: ['listTags', 'photosByTag', 'albums', 'addCustomTag', 'removeTag'],
  ocr: ['photoText'],
  models: ['listModels', 'downloadModel', 'modelDownloads', 'useModel', 'quantizeModel', 'modelQuantizations'],
  settings: ['settings', 'updateSettings'],
  shell: ['chooseFolders', 'revealPhoto', 'openPhoto'],
} as const satisfies Record<string, readonly ApiMethod[]>;

export type ServiceName = keyof typeof apiServices;
export type ServiceMethod<S extends ServiceName> = (typeof apiServices)[S][number];
export const serviceNames = Object.keys(apiServices) as ServiceName[];

/** The service a method belongs to. */
export function serviceOf(method: ApiMethod): ServiceName {
  for (const s of serviceNames) if ((apiServices[s] as readonly string[]).includes(method)) return s;
  throw new Error(`method ${method} belongs to no service`);
}
export type ApiRequest<M extends ApiMethod> = z.input<(typeof requestSchemas)[M]>;
export type ApiParsedRequest<M extends ApiMethod> = z.output<(typeof requestSchemas)[M]>;

export interface ApiResponses {
  capabilities: Capabilities;
  status: EngineStatus;
  search: SearchResponse;
  similar: SearchResponse;
  similarToImage: SearchResponse;
  photo: PhotoDetail;
  photoText: PhotoText;
  listFolders: WatchedFolder[];
  addFolder: WatchedFolder;
  removeFolder: { removed: boolean };
  listSkipped: SkippedFile[];
  listTags: TagInfo[];
  photosByTag: PhotoHit[];
  albums: AlbumSummary[];
  addCustomTag: TagInfo;
  removeTag: { removed: boolean };
  chooseFolders: string[];
  revealPhoto: { ok: boolean };
  openPhoto: { ok: boolean };
  listModels: ModelChoice[];
  /** started: false when this model is already downloading, or already installed (alreadyInstalled). */
  downloadModel: { started: boolean; alreadyInstalled: boolean };
  modelDownloads: ModelDownload[];
  useModel: { ok: true };
  /** started: false when a quantization of this model is already running. */
  quantizeModel: { started: boolean; targetId: string };
  modelQuantizations: ModelQuantization[];
  settings: EngineSettings;
  rebuildLibrary: { aside: string; folders: string[]; missingFolders: string[]; customTags: string[] };
  updateSettings: EngineSettings;
}
export type ApiResponse<M extends ApiMethod> = ApiResponses[M];

/** What a transport exposes to the renderer: one async function per method. */
export type ShiguangApi = {
  [M in ApiMethod]: (req: ApiRequest<M>) => Promise<ApiResponse<M>>;
};

export const apiMethods = Object.keys(requestSchemas) as ApiMethod[];

// ---------- errors that cross boundaries ----------

export type ApiErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'UNSUPPORTED'
  | 'ENGINE_UNAVAILABLE'
  | 'MODEL_ERROR'
  /** No model is chosen yet: the user must pick (and download) one first. */
  | 'NO_MODEL'
  /** The library database is damaged: offer to rebuild it (rebuildLibrary), which re-encodes every photo. */
  | 'LIBRARY_DAMAGED'
  /** The disk holding the library is full: nothing was lost, indexing resumes once there is space. */
  | 'DISK_FULL'
  /** Another process held the library's write lock too long; try again. */
  | 'LIBRARY_BUSY'
  | 'INTERNAL';

export interface ApiErrorPayload {
  code: ApiErrorCode;
  message: string;
  /** A machine-readable reason and its parameters, for the renderer to word (e.g. { reason: 'folder-missing', path }). */
  detail?: ApiErrorDetail;
}

export interface ApiErrorDetail {
  reason: string;
  [param: string]: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly detail?: ApiErrorDetail,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toPayload(): ApiErrorPayload {
    return this.detail ? { code: this.code, message: this.message, detail: this.detail } : { code: this.code, message: this.message };
  }
  static from(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    if (isApiErrorPayload(err)) return new ApiError(err.code, err.message, isErrorDetail(err.detail) ? err.detail : undefined);
    return new ApiError('INTERNAL', err instanceof Error ? err.message : String(err));
  }
}

function isErrorDetail(x: unknown): x is ApiErrorDetail {
  return typeof x === 'object' && x !== null && typeof (x as ApiErrorDetail).reason === 'string' && Object.values(x).every((v) => typeof v === 'string');
}

export function isApiErrorPayload(x: unknown): x is ApiErrorPayload {
  return typeof x === 'object' && x !== null && typeof (x as ApiErrorPayload).code === 'string' &&
    typeof (x as ApiErrorPayload).message === 'string';
}

/** Validate a request for `method`; a bad payload becomes a BAD_REQUEST error, never a crash. */
export function parseRequest<M extends ApiMethod>(method: M, payload: unknown): ApiParsedRequest<M> {
  const schema = requestSchemas[method];
  if (!schema) throw new ApiError('BAD_REQUEST', `unknown method ${String(method)}`);
  const parsed = schema.safeParse(payload ?? {});
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
    throw new ApiError('BAD_REQUEST', `invalid ${method} request: ${why}`);
  }
  return parsed.data as ApiParsedRequest<M>;
}

export function isApiMethod(name: string): name is ApiMethod {
  return Object.prototype.hasOwnProperty.call(requestSchemas, name);
}
