/**
 * DEVELOPMENT ONLY: a stand-in for the web-mode server so the renderer can be built and checked
 * before (and independently of) the real engine. Serves dist/renderer plus /api/* with canned,
 * in-memory data and generated SVG "photos" whose dominant colour is what the fake search ranks.
 *
 * Requests are validated with the real contract (parseRequest from electron/shared/api.ts), so a
 * renderer call that the real server would reject fails here too. The final e2e suite must run
 * against the real engine (see run.ts); nothing here proves search quality.
 *
 * Run standalone: npx tsx test/e2e/fake-api-server.ts [--photos 100000] [--port 5180] [--no-model]
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  ApiError,
  isApiMethod,
  parseRequest,
  type AlbumSummary,
  type ApiMethod,
  type ApiParsedRequest,
  type ApiResponses,
  type EngineSettings,
  type EngineStatus,
  type ModelChoice,
  type ModelDownload,
  type ModelPrecision,
  type ModelQuantization,
  type PhotoDetail,
  type QuantizationFigures,
  type PhotoHit,
  type SearchResponse,
  type TagInfo,
  type WatchedFolder,
  type ServiceName,
} from '../../electron/shared/api.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Colour {
  key: string;
  zh: string;
  hex: string;
}

/** The same nine colours (and characters) as the toy-colors test model. */
export const COLOURS: readonly Colour[] = [
  { key: 'red', zh: '红', hex: '#d6281f' },
  { key: 'orange', zh: '橙', hex: '#f08a1c' },
  { key: 'yellow', zh: '黄', hex: '#efd41c' },
  { key: 'green', zh: '绿', hex: '#2f9e44' },
  { key: 'blue', zh: '蓝', hex: '#1f5fd6' },
  { key: 'purple', zh: '紫', hex: '#8c2bb3' },
  { key: 'black', zh: '黑', hex: '#151515' },
  { key: 'white', zh: '白', hex: '#f4f4f2' },
  { key: 'gray', zh: '灰', hex: '#808080' },
];

const SCENES = [
  { name: '户外', en: 'outdoors' },
  { name: '室内', en: 'indoors' },
  { name: '风景', en: 'landscape' },
  { name: '人像', en: 'portrait' },
  { name: '夜景', en: 'night' },
  { name: '美食', en: 'food' },
];

interface FakePhoto {
  id: number;
  path: string;
  folder: string;
  fileName: string;
  colour: number;
  shade: number;
  takenAt: string | null;
  scene: number;
  watchedId: number;
}

interface IndexJob {
  startedAt: number;
  ids: number[];
}

export interface FakeServerOptions {
  port?: number;
  /** Pre-populate one already-indexed folder with this many photos (grid stress tests). */
  photos?: number;
  /** Photos "encoded" per second when a folder is added. */
  rate?: number;
  /** Extra latency on search-like calls, ms, to make loading states visible. */
  latencyMs?: number;
  nativeShell?: boolean;
  /** Start as on first run: no model chosen, engine methods fail with NO_MODEL until useModel. */
  noModel?: boolean;
  /** How long a simulated model download takes, ms (default 2000). */
  downloadMs?: number;
  /** The first download attempt fails half way (NETWORK), so retry can be exercised. */
  failFirstDownload?: boolean;
  /** Simulate SHIGUANG_MODEL_SOURCES being set (settings.sourcesOverriddenBy). */
  sourcesEnv?: boolean;
  /** How long a simulated quantization takes, ms (default 2500). */
  quantizeMs?: number;
}

export interface FakeServer {
  url: string;
  token: string;
  /** A folder path the fake accepts for addFolder and the names of its red photos. */
  photosFolder: string;
  redPhotoNames: string[];
  /** Every search-like request body seen, for assertions about what the UI sent. */
  calls: { method: string; body: unknown }[];
  close(): Promise<void>;
}

const PER_COLOUR = 6;

export async function startFakeServer(opts: FakeServerOptions = {}): Promise<FakeServer> {
  const token = crypto.randomBytes(16).toString('hex');
  const rate = opts.rate ?? 25;
  const photos = new Map<number, FakePhoto>();
  const indexed = new Set<number>();
  const folders: WatchedFolder[] = [];
  const skipped: { path: string; reason: string; watchedId: number }[] = [];
  const customTags = new Map<string, TagInfo>();
  const removedTags = new Set<string>();
  const calls: FakeServer['calls'] = [];
  let job: IndexJob | null = null;
  let nextPhotoId = 1;
  let nextFolderId = 1;

  const photosFolder = '/home/demo/Pictures';
  const redPhotoNames = Array.from({ length: PER_COLOUR }, (_, i) => `red-${String(i + 1).padStart(2, '0')}.jpg`);

  function addPhotos(watched: WatchedFolder, count: number | null): number[] {
    const ids: number[] = [];
    const n = count ?? COLOURS.length * PER_COLOUR;
    for (let i = 0; i < n; i++) {
      const colour = count === null ? Math.floor(i / PER_COLOUR) : i % COLOURS.length;
      const k = count === null ? (i % PER_COLOUR) + 1 : Math.floor(i / COLOURS.length) + 1;
      // Half of each colour in a 旅行 subfolder so albums and folder filters have something to show.
      const sub = count === null && k > PER_COLOUR / 2 ? '旅行' : '';
      const folder = sub ? `${watched.path}/${sub}` : watched.path;
      const fileName = `${COLOURS[colour]!.key}-${String(k).padStart(count === null ? 2 : 6, '0')}.jpg`;
      const id = nextPhotoId++;
      const day = ((id * 37) % 28) + 1;
      const month = ((id * 7) % 12) + 1;
      photos.set(id, {
        id,
        path: `${folder}/${fileName}`,
        folder,
        fileName,
        colour,
        shade: ((id * 53) % 40) - 20,
        takenAt: id % 7 === 0 ? null : `${2022 + (id % 3)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(8 + (id % 12)).padStart(2, '0')}:30:00`,
        scene: id % SCENES.length,
        watchedId: watched.id,
      });
      ids.push(id);
    }
    return ids;
  }

  if (opts.photos) {
    const w: WatchedFolder = { id: nextFolderId++, path: '/home/demo/Bulk', photoCount: opts.photos };
    folders.push(w);
    for (const id of addPhotos(w, opts.photos)) indexed.add(id);
  }

  /** Advance the simulated index run to "now". */
  function tick(): void {
    if (!job) return;
    const done = Math.min(job.ids.length, Math.floor(((Date.now() - job.startedAt) / 1000) * rate));
    for (let i = 0; i < done; i++) indexed.add(job.ids[i]!);
    for (const f of folders) f.photoCount = [...photos.values()].filter((p) => p.watchedId === f.id && indexed.has(p.id)).length;
  }

  function status(): EngineStatus {
    tick();
    let progress: EngineStatus['progress'] = { running: false, done: 0, total: 0, rate: 0, etaSeconds: null, current: null };
    if (job) {
      const total = job.ids.length;
      const done = job.ids.filter((id) => indexed.has(id)).length;
      const running = done < total;
      progress = {
        running,
        done,
        total,
        rate: running ? rate : 0,
        etaSeconds: running ? Math.ceil((total - done) / rate) : null,
        current: running ? photos.get(job.ids[done]!)!.path : null,
      };
    }
    const pending = [...photos.keys()].filter((id) => !indexed.has(id)).length;
    return {
      counts: { indexed: indexed.size, pending, skipped: skipped.length },
      progress,
      model: servingModel(),
      provider: serving ? { name: 'cpu', fallbacks: [{ provider: 'cuda', reason: 'no CUDA device found' }] } : null,
      // Canned: the fake reads no text; text search and the viewer overlay need the real engine.
      ocr: serving
        ? { enabled: fakeSettings.ocrEnabled, running: false, done: indexed.size, failed: 0, pending: 0, withText: 0, rate: 0, etaSeconds: null, current: null, model: 'pp-ocrv4-ch', provider: 'cpu', error: null }
        : null,
    };
  }

  function colourVector(text: string): number[] | null {
    const v = COLOURS.map((c) => (text.split(c.zh).length - 1) + (text.toLowerCase().split(c.key).length - 1));
    return v.some((x) => x > 0) ? v : null;
  }

  function photoVector(p: FakePhoto): number[] {
    return COLOURS.map((_, i) => (i === p.colour ? 1 : i === (p.colour + 1) % COLOURS.length ? 0.15 : 0.03));
  }

  function cosine(a: number[], b: number[]): number {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i]! * b[i]!;
      na += a[i]! ** 2;
      nb += b[i]! ** 2;
    }
    return dot / Math.sqrt(na * nb);
  }

  function noise(seed: string, id: number): number {
    const h = crypto.createHash('md5').update(`${seed}:${id}`).digest();
    return h.readUInt16LE(0) / 65535;
  }

  function toHit(p: FakePhoto, score: number): PhotoHit {
    return {
      id: p.id,
      path: p.path,
      score,
      fileName: p.fileName,
      folder: p.folder,
      width: 4000,
      height: 3000,
      takenAt: p.takenAt,
      tags: tagsOf(p).slice(0, 3),
    };
  }

  function tagsOf(p: FakePhoto): { name: string; score: number }[] {
    const out = [
      { name: `${COLOURS[p.colour]!.zh}色`, score: 0.31 },
      { name: SCENES[p.scene]!.name, score: 0.24 },
    ];
    for (const t of customTags.values()) if (t.name.includes(COLOURS[p.colour]!.zh)) out.push({ name: t.name, score: 0.27 });
    return out.filter((t) => !removedTags.has(t.name));
  }

  function filtered(f: { folder?: string; after?: string; before?: string; tag?: string }): FakePhoto[] {
    tick();
    return [...photos.values()].filter((p) => {
      if (!indexed.has(p.id)) return false;
      if (f.folder && !(p.folder === f.folder || p.folder.startsWith(`${f.folder}/`))) return false;
      if ((f.after || f.before) && !p.takenAt) return false;
      if (f.after && p.takenAt! < f.after) return false;
      if (f.before && p.takenAt! > f.before) return false;
      if (f.tag && !tagsOf(p).some((t) => t.name === f.tag)) return false;
      return true;
    });
  }

  /** Pages like the engine: `cursor` continues the list (here simply the offset of the next hit). */
  function rank(list: FakePhoto[], score: (p: FakePhoto) => number, limit: number, cursor?: string): SearchResponse {
    const t0 = performance.now();
    const from = cursor ? Number(cursor) : 0;
    const ranked = list.map((p) => ({ p, s: score(p) })).sort((a, b) => b.s - a.s || a.p.id - b.p.id);
    const hits = ranked.slice(from, from + limit).map(({ p, s }) => toHit(p, Math.round(s * 1000) / 1000));
    const nextCursor = from + limit < ranked.length ? String(from + limit) : null;
    return { hits, textMs: 4, searchMs: Math.round(performance.now() - t0), nextCursor, matched: ranked.length };
  }

  function allTags(): TagInfo[] {
    tick();
    const counts = new Map<string, number>();
    for (const p of photos.values()) if (indexed.has(p.id)) for (const t of tagsOf(p)) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const builtIn: TagInfo[] = [
      ...COLOURS.map((c) => ({ name: `${c.zh}色`, nameEn: c.key, family: '颜色', custom: false, photoCount: counts.get(`${c.zh}色`) ?? 0 })),
      ...SCENES.map((s) => ({ name: s.name, nameEn: s.en, family: '场景', custom: false, photoCount: counts.get(s.name) ?? 0 })),
    ].filter((t) => !removedTags.has(t.name) && t.photoCount > 0);
    const custom = [...customTags.values()].map((t) => ({ ...t, photoCount: counts.get(t.name) ?? 0 }));
    return [...builtIn, ...custom];
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  // ---------- model manager simulation ----------

  /** Catalogue-like entries (figures from the real catalogue) plus the fake's own installed model. */
  interface FakeModel {
    choice: Omit<ModelChoice, 'installed' | 'installedPrecision' | 'installedBytes' | 'active' | 'serving' | 'error'>;
    manifest: { name: string; embeddingDim: number };
  }
  const MB = 1024 * 1024;
  const exportRoute = (arch: string, file: string) =>
    [
      'No hosted ONNX in the official layout was found for this size: export it with the official script (a few minutes, needs Python + PyTorch), then `models import`.',
      'git clone https://github.com/OFA-Sys/Chinese-CLIP && cd Chinese-CLIP',
      'pip install -r requirements.txt onnx onnxmltools',
      `curl -LO https://clip-cn-beijing.oss-cn-beijing.aliyuncs.com/checkpoints/${file}`,
      `PYTHONPATH=$PYTHONPATH:$(pwd)/cn_clip python cn_clip/deploy/pytorch_to_onnx.py --model-arch ${arch} --pytorch-ckpt-path ${file} --save-onnx-path deploy/out --convert-text --convert-vision`,
      'npm run cli -- models import deploy',
    ].join('\n');
  const catalogue: FakeModel[] = [
    {
      choice: {
        id: 'cn-clip-vit-b-16', name: 'Chinese-CLIP ViT-B/16', catalogued: true, isDefault: true,
        params: { totalM: 188, imageM: 86, textM: 102 }, embeddingDim: 512, resolution: 224, speed: 'fast',
        zeroShot: { mugeT2iR1: 52.1, flickr30kCnT2iR1: 62.7, imagenetTop1: null },
        downloads: [{ precision: 'fp32', bytes: 753 * MB }, { precision: 'fp16', bytes: 377 * MB }],
        downloadable: true, exportRoute: null,
      },
      manifest: { name: 'Chinese-CLIP ViT-B/16', embeddingDim: 512 },
    },
    {
      choice: {
        id: 'cn-clip-vit-l-14', name: 'Chinese-CLIP ViT-L/14', catalogued: true, isDefault: false,
        params: { totalM: 406, imageM: 304, textM: 102 }, embeddingDim: 768, resolution: 224, speed: 'medium',
        zeroShot: { mugeT2iR1: 56.3, flickr30kCnT2iR1: 68, imagenetTop1: null },
        downloads: [{ precision: 'fp32', bytes: 1624 * MB }],
        downloadable: true, exportRoute: null,
      },
      manifest: { name: 'Chinese-CLIP ViT-L/14', embeddingDim: 768 },
    },
    {
      choice: {
        id: 'cn-clip-vit-h-14', name: 'Chinese-CLIP ViT-H/14', catalogued: true, isDefault: false,
        params: { totalM: 958, imageM: 632, textM: 326 }, embeddingDim: 1024, resolution: 224, speed: 'slow',
        zeroShot: { mugeT2iR1: 63, flickr30kCnT2iR1: null, imagenetTop1: null },
        downloads: [], downloadable: false, exportRoute: exportRoute('ViT-H-14', 'clip_cn_vit-h-14.pt'),
      },
      manifest: { name: 'Chinese-CLIP ViT-H/14', embeddingDim: 1024 },
    },
  ];
  const FAKE_ID = 'fake-colors';
  const fakeOwn: FakeModel = {
    choice: {
      id: FAKE_ID, name: 'Chinese-CLIP (fake)', catalogued: false, isDefault: false, params: null, embeddingDim: 512,
      resolution: 224, speed: null, zeroShot: null, downloads: [], downloadable: false, exportRoute: null,
    },
    manifest: { name: 'Chinese-CLIP (fake)', embeddingDim: 512 },
  };
  const installedModels = new Map<string, { precision: ModelPrecision; bytes: number }>();
  if (!opts.noModel) installedModels.set(FAKE_ID, { precision: 'fp32', bytes: 12 * MB });
  /** The model answering queries, and the chosen one (they differ while a switch "re-encodes"). */
  let serving: string | null = opts.noModel ? null : FAKE_ID;
  let active: string | null = serving;
  let switchDoneAt = 0;
  const SWITCH_MS = 4000;
  const downloadMs = opts.downloadMs ?? 2000;
  let failNext = opts.failFirstDownload ?? false;
  const downloads = new Map<string, ModelDownload & { startedAt: number; failAt: number | null }>();

  /** int8 versions made by quantizeModel: made as the real app makes them, with canned figures. */
  const quantizeMs = opts.quantizeMs ?? 2500;
  const quantizations = new Map<string, ModelQuantization & { startedAt: number }>();
  const int8Models: FakeModel[] = [];
  const fakeFigures = (sourceId: string): QuantizationFigures => ({
    sourceId,
    speedup: { image: 2.3, text: 5.1 },
    cosine: { image: { mean: 0.9981, min: 0.9902 }, text: { mean: 0.9987, min: 0.9935 } },
    top10Overlap: { textToImage: 0.96, imageToText: 0.91 },
    photos: 48,
    prompts: 256,
    checkedOn: '48 library photos',
    bound: { meanCosine: 0.99, minCosine: 0.95 },
  });
  function tickQuantizations(): void {
    const stages: [number, ModelQuantization['stage']][] = [[0.15, 'image'], [0.3, 'text'], [0.35, 'parity'], [0.4, 'manifest'], [0.7, 'images'], [0.98, 'texts'], [1, 'install']];
    for (const q of quantizations.values()) {
      if (q.state !== 'running') continue;
      const frac = Math.min(1, (Date.now() - q.startedAt) / quantizeMs);
      q.stage = stages.find(([until]) => frac < until)?.[1] ?? 'install';
      const phase = q.stage === 'images' ? [0.4, 0.7, 48] : q.stage === 'texts' ? [0.7, 0.98, 256] : null;
      [q.done, q.total] = phase ? [Math.round(((frac - phase[0]!) / (phase[1]! - phase[0]!)) * phase[2]!), phase[2]!] : [0, 0];
      if (frac < 1) continue;
      const source = allModels().find((m) => m.choice.id === q.sourceId)!;
      Object.assign(q, { state: 'done', figures: fakeFigures(q.sourceId) });
      int8Models.push({
        choice: { ...fakeOwn.choice, id: q.targetId, name: `${source.manifest.name} (int8)`, catalogued: false, quantization: q.figures },
        manifest: { name: `${source.manifest.name} (int8)`, embeddingDim: source.manifest.embeddingDim },
      });
      installedModels.set(q.targetId, { precision: 'int8', bytes: 3 * MB });
    }
  }

  const allModels = (): FakeModel[] => [...catalogue, ...(installedModels.has(FAKE_ID) ? [fakeOwn] : []), ...int8Models];

  function tickModels(): void {
    tickQuantizations();
    if (active !== serving && Date.now() >= switchDoneAt) serving = active;
    for (const d of downloads.values()) {
      if (d.state !== 'running') continue;
      const elapsed = Date.now() - d.startedAt;
      const frac = Math.min(1, elapsed / downloadMs);
      if (d.failAt !== null && frac >= d.failAt) {
        Object.assign(d, { state: 'failed', bytes: Math.round(d.total * d.failAt), rate: 0, etaSeconds: null, errorCode: 'NETWORK', error: `connection reset while downloading from ${d.source} (simulated)`, failure: { code: 'NETWORK', params: { host: `${d.source}.example`, bytes: Math.round(d.total * d.failAt), reason: 'ECONNRESET' }, attempts: [] } });
        continue;
      }
      const rate = d.total / (downloadMs / 1000);
      Object.assign(d, { bytes: Math.round(d.total * frac), rate: frac < 1 ? rate : 0, etaSeconds: frac < 1 ? Math.ceil((d.total * (1 - frac)) / rate) : 0 });
      if (frac >= 1) {
        d.state = 'done';
        installedModels.set(d.id, { precision: d.precision, bytes: d.total });
      }
    }
  }

  function servingModel(): EngineStatus['model'] {
    tickModels();
    const m = allModels().find((x) => x.choice.id === serving);
    return m ? { id: m.choice.id, name: m.manifest.name, embeddingDim: m.manifest.embeddingDim } : null;
  }

  function listModels(): ModelChoice[] {
    tickModels();
    return allModels().map((m) => {
      const inst = installedModels.get(m.choice.id);
      return {
        ...m.choice,
        installed: Boolean(inst),
        installedPrecision: inst?.precision ?? null,
        installedBytes: inst?.bytes ?? null,
        active: active === m.choice.id,
        serving: serving === m.choice.id,
        error: null,
      };
    });
  }

  const BUILTIN_SOURCES = ['huggingface', 'hf-mirror', 'modelscope'];
  const fakeSettings: EngineSettings = {
    provider: 'auto',
    threads: null,
    sources: [...BUILTIN_SOURCES],
    providerChoices: ['auto', 'tensorrt', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu'],
    sourceChoices: [...BUILTIN_SOURCES],
    sourcesOverriddenBy: opts.sourcesEnv ? 'SHIGUANG_MODEL_SOURCES' : null,
    ocrEnabled: true,
  };
  const validSource = (s: string) => BUILTIN_SOURCES.includes(s) || /^(hf:|modelscope:)?https?:\/\/\S+$/.test(s);

  /** What the real app answers without a model; everything else needs a model (NO_MODEL without one). */
  const MODEL_FREE = new Set<ApiMethod>(['capabilities', 'status', 'listModels', 'downloadModel', 'modelDownloads', 'useModel', 'quantizeModel', 'modelQuantizations', 'settings', 'updateSettings', 'rebuildLibrary']);
  const handlers: { [M in ApiMethod]: (req: ApiParsedRequest<M>) => Promise<ApiResponses[M]> | ApiResponses[M] } = {
    capabilities: () => {
      const services: ServiceName[] = ['transport', 'system', 'library', 'search', 'tags', 'ocr', 'models', 'settings'];
      return { nativeShell: opts.nativeShell ?? false, transport: 'http', services: opts.nativeShell ? [...services, 'shell'] : services };
    },
    status: () => status(),
    search: async (req) => {
      if (opts.latencyMs) await sleep(opts.latencyMs);
      const q = colourVector(req.query);
      return rank(filtered(req), (p) => (q ? 0.34 * cosine(q, photoVector(p)) : 0.05 + 0.2 * noise(req.query, p.id)), req.limit, req.cursor);
    },
    similar: async (req) => {
      if (opts.latencyMs) await sleep(opts.latencyMs);
      const src = photos.get(req.photoId);
      if (!src) throw new ApiError('NOT_FOUND', `no photo ${req.photoId}`);
      const v = photoVector(src);
      return rank(filtered(req), (p) => (p.id === src.id ? 1 : 0.9 * cosine(v, photoVector(p)) - 0.002 * Math.abs(p.shade - src.shade)), req.limit, req.cursor);
    },
    similarToImage: async (req) => {
      if (opts.latencyMs) await sleep(opts.latencyMs);
      const text = Buffer.from(req.dataBase64, 'base64').toString('utf8');
      const m = /data-colour="(\w+)"/.exec(text);
      const colour = COLOURS.findIndex((c) => c.key === m?.[1]);
      if (colour < 0) throw new ApiError('BAD_REQUEST', 'the fake server only understands its own SVG photos');
      const v = COLOURS.map((_, i) => (i === colour ? 1 : 0.03));
      return rank(filtered(req), (p) => 0.8 * cosine(v, photoVector(p)), req.limit, req.cursor);
    },
    photoText: (req) => {
      const p = photos.get(req.photoId);
      if (!p) throw new ApiError('NOT_FOUND', `no photo ${req.photoId}`);
      return { photoId: p.id, state: fakeSettings.ocrEnabled ? 'read' : 'off', width: 1600, height: 1200, lines: [], error: null };
    },
    photo: (req) => {
      const p = photos.get(req.photoId);
      if (!p) throw new ApiError('NOT_FOUND', `no photo ${req.photoId}`);
      const hit = toHit(p, 0);
      const { score: _score, ...rest } = hit;
      const detail: PhotoDetail = {
        ...rest,
        size: 2_400_000 + p.id * 1237,
        mtime: '2024-06-01T12:00:00Z',
        cameraMake: p.id % 3 === 0 ? null : p.id % 2 ? 'FUJIFILM' : 'Apple',
        cameraModel: p.id % 3 === 0 ? null : p.id % 2 ? 'X-T4' : 'iPhone 15 Pro',
        gps: p.id % 4 === 0 ? { lat: 30.25 + p.id / 1000, lon: 120.16 } : null,
        status: indexed.has(p.id) ? 'indexed' : 'pending',
        skipReason: null,
        tags: tagsOf(p),
      };
      return detail;
    },
    listFolders: () => {
      tick();
      return folders.map((f) => ({ ...f }));
    },
    addFolder: (req) => {
      const p = req.path.replace(/\/+$/, '');
      if (!p.startsWith('/')) throw new ApiError('BAD_REQUEST', `not an absolute path: ${p}`);
      if (p.includes('missing')) throw new ApiError('NOT_FOUND', `folder does not exist: ${p}`);
      if (folders.some((f) => f.path === p)) throw new ApiError('BAD_REQUEST', `already watching ${p}`);
      const w: WatchedFolder = { id: nextFolderId++, path: p, photoCount: 0 };
      folders.push(w);
      tick();
      const ids = addPhotos(w, null);
      job = { startedAt: Date.now(), ids: [...(job?.ids.filter((id) => !indexed.has(id)) ?? []), ...ids] };
      skipped.push(
        { path: `${p}/broken.jpg`, reason: '无法解码：文件已损坏', watchedId: w.id },
        { path: `${p}/旅行/scan.tiff`, reason: '不支持的格式（多页 TIFF）', watchedId: w.id },
      );
      return w;
    },
    removeFolder: (req) => {
      const i = folders.findIndex((f) => f.id === req.folderId);
      if (i < 0) return { removed: false };
      folders.splice(i, 1);
      for (const [id, p] of photos) {
        if (p.watchedId === req.folderId) {
          photos.delete(id);
          indexed.delete(id);
        }
      }
      if (job) {
        const ids = job.ids.filter((id) => photos.has(id));
        job = ids.length > 0 ? { ...job, ids } : null;
      }
      for (let j = skipped.length - 1; j >= 0; j--) if (skipped[j]!.watchedId === req.folderId) skipped.splice(j, 1);
      return { removed: true };
    },
    listSkipped: (req) =>
      skipped.slice(req.offset, req.offset + req.limit).map(({ path: p, reason }) => ({ path: p, reason })),
    listTags: () => allTags(),
    photosByTag: (req) =>
      filtered({})
        .filter((p) => tagsOf(p).some((t) => t.name === req.tag))
        .slice(0, req.limit)
        .map((p) => toHit(p, tagsOf(p).find((t) => t.name === req.tag)!.score)),
    albums: (): AlbumSummary[] => {
      const byFolder = new Map<string, FakePhoto[]>();
      for (const p of filtered({})) {
        const list = byFolder.get(p.folder);
        if (list) list.push(p);
        else byFolder.set(p.folder, [p]);
      }
      return [...byFolder.entries()].map(([folder, list]) => {
        const counts = new Map<string, number>();
        for (const p of list) for (const t of tagsOf(p)) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
        const tags = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([name, n]) => ({ name, weight: n / list.length }));
        const base = folder.split('/').pop() ?? folder;
        return { folder, photoCount: list.length, title: `${base} · ${tags[0]?.name ?? ''}`, tags };
      });
    },
    addCustomTag: (req) => {
      if (customTags.has(req.name) || allTags().some((t) => t.name === req.name)) throw new ApiError('BAD_REQUEST', `tag exists: ${req.name}`);
      const t: TagInfo = { name: req.name, nameEn: null, family: '自定义', custom: true, photoCount: 0 };
      customTags.set(req.name, t);
      removedTags.delete(req.name);
      return allTags().find((x) => x.name === req.name) ?? t;
    },
    removeTag: (req) => {
      const had = customTags.delete(req.name) || allTags().some((t) => t.name === req.name);
      if (had) removedTags.add(req.name);
      return { removed: had };
    },
    chooseFolders: () => {
      if (!opts.nativeShell) throw new ApiError('UNSUPPORTED', 'no native folder picker in web mode');
      return [photosFolder];
    },
    revealPhoto: () => {
      if (!opts.nativeShell) throw new ApiError('UNSUPPORTED', 'not available in web mode');
      return { ok: true };
    },
    openPhoto: () => {
      if (!opts.nativeShell) throw new ApiError('UNSUPPORTED', 'not available in web mode');
      return { ok: true };
    },
    listModels: () => listModels(),
    downloadModel: (req) => {
      tickModels();
      const m = catalogue.find((x) => x.choice.id === req.id);
      if (!m) throw new ApiError('NOT_FOUND', `unknown model "${req.id}"; known: ${catalogue.map((x) => x.choice.id).join(', ')}`);
      const hosted = m.choice.downloads.map((d) => d.precision);
      if (hosted.length === 0) throw new ApiError('UNSUPPORTED', `${m.choice.name} has no hosted ONNX download. ${m.choice.exportRoute ?? ''}`);
      const precision = req.precision ?? (hosted.includes('fp32') ? 'fp32' : hosted[0]!);
      const variant = m.choice.downloads.find((d) => d.precision === precision);
      if (!variant) throw new ApiError('BAD_REQUEST', `${req.id} can be downloaded in ${hosted.join(', ')}, not ${precision}`);
      if (downloads.get(req.id)?.state === 'running') return { started: false, alreadyInstalled: false };
      if (installedModels.has(req.id)) return { started: false, alreadyInstalled: true };
      const source = (req.source ?? fakeSettings.sources[0] ?? 'huggingface').split(',')[0]!.trim();
      downloads.set(req.id, {
        id: req.id, precision, state: 'running', bytes: 0, total: variant.bytes, rate: 0, etaSeconds: null,
        error: null, errorCode: null, failure: null, source, startedAt: Date.now(), failAt: failNext ? 0.45 : null,
      });
      failNext = false;
      return { started: true, alreadyInstalled: false };
    },
    modelDownloads: () => {
      tickModels();
      return [...downloads.values()].map(({ startedAt: _s, failAt: _f, ...d }) => d);
    },
    useModel: (req) => {
      tickModels();
      if (!installedModels.has(req.id)) {
        const running = downloads.get(req.id)?.state === 'running' ? ' (its download is still running)' : '';
        throw new ApiError('NOT_FOUND', `${req.id} is not installed${running}; download it first`);
      }
      if (active === req.id) return { ok: true as const };
      active = req.id;
      // First model: ready at once. A switch: the old model keeps serving while vectors are rebuilt.
      if (serving === null || indexed.size === 0) serving = req.id;
      else switchDoneAt = Date.now() + SWITCH_MS;
      return { ok: true as const };
    },
    quantizeModel: (req) => {
      tickModels();
      const inst = installedModels.get(req.id);
      if (!inst) throw new ApiError('NOT_FOUND', `${req.id} is not installed`);
      if (inst.precision !== 'fp32') throw new ApiError('BAD_REQUEST', `${req.id} is ${inst.precision}: only an fp32 model can be quantized`);
      if (indexed.size === 0) throw new ApiError('BAD_REQUEST', 'the library has no indexed photos to check an int8 model on yet: add a folder and let it index first');
      const targetId = `${req.id}-int8`;
      if (quantizations.get(req.id)?.state === 'running') return { started: false, targetId };
      quantizations.set(req.id, { sourceId: req.id, targetId, state: 'running', stage: 'image', done: 0, total: 0, figures: null, error: null, startedAt: Date.now() });
      return { started: true, targetId };
    },
    modelQuantizations: () => {
      tickModels();
      return [...quantizations.values()].map(({ startedAt: _s, ...q }) => q);
    },
    settings: () => ({ ...fakeSettings, sources: [...fakeSettings.sources] }),
    rebuildLibrary: () => {
      throw new ApiError('BAD_REQUEST', 'the library is not damaged');
    },
    updateSettings: (req) => {
      if (req.provider !== undefined && !fakeSettings.providerChoices.includes(req.provider)) {
        throw new ApiError('BAD_REQUEST', `unknown execution provider "${req.provider}" (expected ${fakeSettings.providerChoices.join(', ')})`);
      }
      if (req.sources !== undefined) {
        const specs = req.sources.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
        const bad = specs.find((x) => !validSource(x));
        if (bad) throw new ApiError('BAD_REQUEST', `unknown model source "${bad}" (expected ${BUILTIN_SOURCES.join(', ')}, hf:URL, modelscope:URL or a URL)`);
        fakeSettings.sources = specs.length ? specs : [...BUILTIN_SOURCES];
      }
      if (req.provider !== undefined) fakeSettings.provider = req.provider;
      if (req.threads !== undefined) fakeSettings.threads = req.threads;
      if (req.ocrEnabled !== undefined) fakeSettings.ocrEnabled = req.ocrEnabled;
      return { ...fakeSettings, sources: [...fakeSettings.sources] };
    },
  };

  function svgPhoto(p: FakePhoto, w: number, h: number): string {
    const c = COLOURS[p.colour]!;
    const ink = c.key === 'white' || c.key === 'yellow' ? '#222' : '#fff';
    const r = Math.min(w, h);
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" data-colour="${c.key}">
<rect width="${w}" height="${h}" fill="${c.hex}"/>
<rect width="${w}" height="${h}" fill="${p.shade > 0 ? '#fff' : '#000'}" opacity="${Math.abs(p.shade) / 100}"/>
<circle cx="${w * (0.3 + ((p.id * 13) % 40) / 100)}" cy="${h * 0.42}" r="${r * 0.18}" fill="${ink}" opacity="0.22"/>
<rect x="0" y="${h * 0.72}" width="${w}" height="${h * 0.28}" fill="${ink}" opacity="0.12"/>
<text x="${w / 2}" y="${h * 0.9}" font-family="sans-serif" font-size="${r * 0.07}" fill="${ink}" text-anchor="middle" opacity="0.8">${p.fileName}</text>
</svg>`;
  }

  const distDir = path.join(ROOT, 'dist/renderer');
  const MIME: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.map': 'application/json',
    '.png': 'image/png',
  };

  function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  async function readBody(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname.startsWith('/api/')) {
        if (req.headers.authorization !== `Bearer ${token}`) return sendJson(res, 401, { code: 'BAD_REQUEST', message: 'missing or wrong token' });
        if (req.method !== 'POST') return sendJson(res, 405, { code: 'BAD_REQUEST', message: 'POST only' });
        const method = url.pathname.slice(5);
        if (!isApiMethod(method)) return sendJson(res, 404, { code: 'NOT_FOUND', message: `unknown method ${method}` });
        try {
          const raw = await readBody(req);
          const parsed = parseRequest(method, raw ? JSON.parse(raw) : {});
          if (['search', 'similar', 'similarToImage', 'photosByTag', 'addFolder'].includes(method)) calls.push({ method, body: parsed });
          if (!MODEL_FREE.has(method) && !servingModel()) throw new ApiError('NO_MODEL', 'no model is active yet: choose and download one first');
          const result = await (handlers[method] as (r: unknown) => unknown)(parsed);
          return sendJson(res, 200, result);
        } catch (err) {
          const e = ApiError.from(err);
          return sendJson(res, e.code === 'NOT_FOUND' ? 404 : e.code === 'BAD_REQUEST' ? 400 : e.code === 'UNSUPPORTED' ? 501 : e.code === 'NO_MODEL' ? 409 : 500, e.toPayload());
        }
      }
      const media = /^\/media\/(thumb|original)\/(\d+)$/.exec(url.pathname);
      if (media) {
        if (url.searchParams.get('token') !== token) return sendJson(res, 401, { code: 'BAD_REQUEST', message: 'missing or wrong token' });
        const p = photos.get(Number(media[2]));
        if (!p) return sendJson(res, 404, { code: 'NOT_FOUND', message: 'no such photo' });
        const big = media[1] === 'original';
        res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'private, max-age=3600' });
        return res.end(big ? svgPhoto(p, 1600, 1200) : svgPhoto(p, 320, 320));
      }
      const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
      const file = path.resolve(distDir, `.${rel}`);
      if (!file.startsWith(distDir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        return res.end('not found');
      }
      res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
      fs.createReadStream(file).pipe(res);
    })();
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    photosFolder,
    redPhotoNames,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const s = await startFakeServer({
    port: Number(arg('--port') ?? 5180),
    photos: arg('--photos') ? Number(arg('--photos')) : undefined,
    latencyMs: arg('--latency') ? Number(arg('--latency')) : undefined,
    noModel: process.argv.includes('--no-model'),
  });
  console.log(`fake 拾光 server: ${s.url}\nadd folder: ${s.photosFolder}`);
}
