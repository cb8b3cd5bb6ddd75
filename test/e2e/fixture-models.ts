/**
 * Models to download in the UI checks without the network: the shipped catalogue (its real
 * entries, figures and export routes, as a person sees them) plus the project's generated test
 * models (npm run models:test) as downloadable entries, hosted Hugging Face style by the local
 * fixture hub (test/unit/models-fixture-hub.ts) — and a fetch that delivers at a set pace, so a
 * download of a few megabytes lasts long enough to watch its progress.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseManifest, type ModelManifest } from '../../electron/engine/ml/manifest.ts';
import { loadCatalogue, parseCatalogue, type Catalogue, type CatalogueEntry, type DownloadFile } from '../../electron/engine/models/catalogue.ts';
import type { ModelHooks } from '../../electron/engine/models/download-registry.ts';
import type { FetchLike } from '../../electron/engine/models/fetch.ts';
import { sha256, type FixtureHub } from '../unit/models-fixture-hub.ts';

/** Where the hub serves the files: `<hub>/hf/fixture/<id>/resolve/main/<file>`. */
export const HUB_PREFIX = '/hf';

export interface HostedModel {
  id: string;
  name: string;
  /** The generated model's directory. */
  dir: string;
  manifest: ModelManifest;
  /** Installed file name → bytes. */
  files: Map<string, Buffer>;
  /** The hub path of each file. */
  hubPath(file: string): string;
}

export interface FixtureModels {
  catalogue: Catalogue;
  models: HostedModel[];
  /** Puts every file on the hub. */
  host(hub: FixtureHub): void;
  /** The download hooks of the app: this catalogue, the generated manifests, `fetchImpl`. */
  hooks(fetchImpl?: FetchLike): ModelHooks;
  /** The source spec (SHIGUANG_MODEL_SOURCES, settings) that reaches the hub. */
  source(hub: FixtureHub): string;
}

const CITE = 'fixture: a generated test model (scripts/models), hosted by the test';

function readModel(dir: string, name: string): HostedModel {
  const manifest = parseManifest(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')), dir);
  const files = new Map<string, Buffer>();
  for (const f of fs.readdirSync(dir).sort()) if (f !== 'manifest.json') files.set(f, fs.readFileSync(path.join(dir, f)));
  return { id: manifest.id, name, dir, manifest, files, hubPath: (file) => `${HUB_PREFIX}/fixture/${manifest.id}/resolve/main/${file}` };
}

function entryFor(m: HostedModel): CatalogueEntry {
  const role = (file: string): DownloadFile['role'] => (file === m.manifest.image.file ? 'image' : file === m.manifest.text.file ? 'text' : 'external-data');
  const paramsM = (file: string): number => {
    // fp32 weights: 4 bytes a parameter (a graph's external data holds the weights of that graph).
    const bytes = [...m.files].filter(([f]) => f.startsWith(file)).reduce((n, [, b]) => n + b.length, 0);
    return Math.round(bytes / 4 / 1e4) / 100;
  };
  const [imageM, textM] = [paramsM(m.manifest.image.file), paramsM(m.manifest.text.file)];
  const names = Object.fromEntries([...m.files.keys()].map((f) => [f, f]));
  return {
    id: m.id,
    name: m.name,
    officialArch: m.manifest.architecture,
    fileArch: m.manifest.architecture,
    isDefault: false,
    params: { totalM: Math.round((imageM + textM) * 100) / 100, imageM, textM, citation: CITE },
    embeddingDim: m.manifest.embeddingDim,
    resolution: m.manifest.image.resolution,
    imageBackbone: m.manifest.architecture,
    textTower: m.manifest.architecture,
    textModel: m.manifest.architecture,
    specCitation: CITE,
    zeroShot: { mugeT2iR1: null, flickr30kCnT2iR1: null, imagenetTop1: null, citation: CITE },
    speed: { class: 'fast', onnxFp16T4ImageMs: null, onnxFp16T4TextMs: null, citation: CITE },
    checkpoint: { url: 'https://example.invalid/test-model.pt', format: 'fixture', citation: CITE },
    upstream: [],
    downloads: [
      {
        precision: m.manifest.precision === 'fp16' ? 'fp16' : 'fp32',
        layout: 'official',
        files: [...m.files].map(([name, bytes]) => ({ name, role: role(name), approxBytes: bytes.length, sha256: sha256(bytes) })),
        mirrors: [{ hub: 'huggingface', repo: `fixture/${m.id}`, revision: 'main', paths: names, citation: CITE }],
      },
    ],
    community: [],
    exportRoute: { summary: 'A generated test model.', steps: ['npm run models:test'], produces: {}, citation: CITE },
  };
}

/** The shipped catalogue plus `models` (generated model directories with the names to show). */
export function fixtureModels(models: { dir: string; name: string }[]): FixtureModels {
  const hosted = models.map((m) => readModel(m.dir, m.name));
  const shipped = loadCatalogue();
  const catalogue = parseCatalogue({ ...shipped, models: [...shipped.models, ...hosted.map(entryFor)] }, 'UI check catalogue');
  return {
    catalogue,
    models: hosted,
    host(hub) {
      for (const m of hosted) for (const [f, bytes] of m.files) hub.files.set(m.hubPath(f), bytes);
    },
    hooks(fetchImpl) {
      return {
        catalogue: () => catalogue,
        manifestFor: (entry) => {
          const m = hosted.find((x) => x.id === entry.id);
          if (!m) throw new Error(`${entry.id} is not a hosted test model`);
          // Named as the catalogue names it, as a real download's manifest is.
          return { ...m.manifest, name: entry.name };
        },
        ...(fetchImpl ? { fetchImpl } : {}),
      };
    },
    source: (hub) => `hf:${hub.url}${HUB_PREFIX}`,
  };
}

/**
 * `fetch`, with response bodies delivered at about `bytesPerSecond` (a slow line, as a person on
 * a home connection sees a large model arrive). Aborting the request still stops it at once.
 */
export function pacedFetch(bytesPerSecond: number): FetchLike {
  const slice = Math.max(1024, Math.round(bytesPerSecond / 20));
  return async (url, init) => {
    const res = await fetch(url, init);
    if (!res.body) return res;
    const reader = res.body.getReader();
    const signal = init.signal ?? undefined;
    let pending: Uint8Array | null = null;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!pending || pending.length === 0) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          pending = value;
        }
        const part = pending.subarray(0, slice);
        pending = pending.subarray(part.length);
        await sleep((part.length / bytesPerSecond) * 1000, undefined, { signal });
        controller.enqueue(part);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
