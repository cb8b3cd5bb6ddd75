/**
 * The model catalogue (models/catalogue.json): which Chinese-CLIP sizes exist, what the paper says
 * about them, and where ready-made ONNX graphs can be fetched. Every URL in the file carries a
 * `citation` saying where it was read, so nothing here is a guessed location.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { catalogueManifestsDir } from '../ml/model-dir.ts';
import { parseManifest, type ModelManifest } from '../ml/manifest.ts';

export const PRECISIONS = ['fp32', 'fp16', 'int8'] as const;
export type Precision = (typeof PRECISIONS)[number];

const cited = z.string().min(1);
const hub = z.enum(['huggingface', 'modelscope']);

const fileSchema = z.object({
  /** Name the file gets in the installed model directory (the manifest refers to it). */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/),
  role: z.enum(['image', 'text', 'external-data', 'vocab']),
  /** Size as displayed by the hosting site (rounded): used for the disk check and a ±10% sanity check. */
  approxBytes: z.number().int().positive().nullable(),
  /** Exact size, only where published. */
  bytes: z.number().int().positive().nullable().optional(),
  /** Only where a publisher states it; otherwise the download is checked by size and a test encode. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
});

const mirrorSchema = z.object({
  hub,
  repo: z.string().min(1),
  revision: z.string().min(1),
  /** installed file name → path inside the hosted repository. */
  paths: z.record(z.string(), z.string().min(1)),
  citation: cited,
});

const downloadSchema = z.object({
  precision: z.enum(PRECISIONS),
  layout: z.literal('official'),
  files: z.array(fileSchema).min(1),
  mirrors: z.array(mirrorSchema).min(1),
});

const entrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  name: z.string(),
  officialArch: z.string(),
  fileArch: z.string(),
  isDefault: z.boolean(),
  params: z.object({ totalM: z.number(), imageM: z.number(), textM: z.number(), citation: cited }),
  embeddingDim: z.number().int().positive(),
  resolution: z.number().int().positive(),
  imageBackbone: z.string(),
  textTower: z.string(),
  textModel: z.string(),
  specCitation: cited,
  zeroShot: z.object({
    mugeT2iR1: z.number().nullable(),
    flickr30kCnT2iR1: z.number().nullable(),
    imagenetTop1: z.number().nullable(),
    citation: cited,
    note: z.string().optional(),
  }),
  speed: z.object({
    class: z.enum(['fast', 'medium', 'slow']),
    onnxFp16T4ImageMs: z.number().nullable(),
    onnxFp16T4TextMs: z.number().nullable(),
    citation: cited,
    note: z.string().optional(),
  }),
  checkpoint: z.object({ url: z.string().url(), format: z.string(), citation: cited }),
  upstream: z.array(z.object({ hub, repo: z.string(), url: z.string().url(), format: z.string(), citation: cited })),
  downloads: z.array(downloadSchema),
  community: z.array(
    z.object({
      layout: z.literal('hf-fused'),
      repo: z.string(),
      url: z.string().url(),
      installable: z.boolean(),
      reason: z.string(),
      files: z.record(z.string(), z.object({ path: z.string(), approxBytes: z.number().nullable() })),
      citation: cited,
    }),
  ),
  exportRoute: z.object({
    summary: z.string(),
    steps: z.array(z.string()).min(1),
    produces: z.record(z.string(), z.array(z.string())),
    citation: cited,
  }),
});

export const catalogueSchema = z.object({
  version: z.literal(1),
  defaultModel: z.string(),
  sources: z.record(z.string(), z.object({ base: z.string().url(), hub, citation: cited })),
  layouts: z.record(z.string(), z.object({ description: z.string(), citation: cited })),
  models: z.array(entrySchema).min(1),
});

export type Catalogue = z.infer<typeof catalogueSchema>;
export type CatalogueEntry = Catalogue['models'][number];
export type DownloadVariant = CatalogueEntry['downloads'][number];
export type DownloadFile = DownloadVariant['files'][number];
export type Mirror = DownloadVariant['mirrors'][number];

export function catalogueFile(): string {
  return path.join(catalogueManifestsDir(), 'catalogue.json');
}

export function parseCatalogue(json: unknown, where: string): Catalogue {
  const parsed = catalogueSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid model catalogue ${where}:\n  ${issues.join('\n  ')}`);
  }
  const ids = new Set<string>();
  for (const m of parsed.data.models) {
    if (ids.has(m.id)) throw new Error(`Invalid model catalogue ${where}: duplicate id ${m.id}`);
    ids.add(m.id);
    for (const d of m.downloads) {
      for (const mirror of d.mirrors) {
        const missing = d.files.filter((f) => !(f.name in mirror.paths)).map((f) => f.name);
        if (missing.length) throw new Error(`Invalid model catalogue ${where}: ${m.id} ${d.precision} mirror ${mirror.repo} lacks ${missing.join(', ')}`);
      }
    }
  }
  return parsed.data;
}

let cached: { file: string; catalogue: Catalogue } | undefined;

/** Loads (once per file) and validates the shipped catalogue. */
export function loadCatalogue(file: string = catalogueFile()): Catalogue {
  if (cached?.file === file) return cached.catalogue;
  const catalogue = parseCatalogue(JSON.parse(fs.readFileSync(file, 'utf8')), file);
  cached = { file, catalogue };
  return catalogue;
}

export function listCatalogue(catalogue: Catalogue = loadCatalogue()): CatalogueEntry[] {
  return catalogue.models;
}

export function getEntry(id: string, catalogue: Catalogue = loadCatalogue()): CatalogueEntry | undefined {
  return catalogue.models.find((m) => m.id === id);
}

/** Accepts the official spellings (`ViT-B-16`) and the file prefix (`vit-b-16`). */
export function entryForOfficialArch(arch: string, catalogue: Catalogue = loadCatalogue()): CatalogueEntry | undefined {
  const a = arch.toLowerCase();
  return catalogue.models.find((m) => m.officialArch.toLowerCase() === a || m.fileArch === a);
}

export function variantFor(entry: CatalogueEntry, precision: Precision): DownloadVariant | undefined {
  return entry.downloads.find((d) => d.precision === precision);
}

/**
 * Bytes a variant will occupy: the hosting site's sizes where listed, else parameters × bytes per
 * weight (fp32 4, fp16 2, int8 1) from the paper's parameter counts, which is what an export
 * produces give or take a few MB of graph structure.
 */
export function estimateBytes(entry: CatalogueEntry, precision: Precision, variant = variantFor(entry, precision)): number {
  const perWeight = precision === 'fp32' ? 4 : precision === 'fp16' ? 2 : 1;
  const byParams = Math.round(entry.params.totalM * 1e6 * perWeight);
  if (!variant) return byParams;
  if (variant.files.every((f) => f.approxBytes !== null || f.bytes)) {
    return variant.files.reduce((sum, f) => sum + (f.bytes ?? f.approxBytes ?? 0), 0);
  }
  return byParams;
}

/** Reads the shipped fp32 manifest of an entry (models/<id>/manifest.json). */
export function shippedManifest(entry: CatalogueEntry): ModelManifest {
  const file = path.join(catalogueManifestsDir(), entry.id, 'manifest.json');
  return parseManifest(JSON.parse(fs.readFileSync(file, 'utf8')), file);
}

/** The manifest of an installed download: the shipped one with this variant's graph files. */
export function manifestForVariant(entry: CatalogueEntry, variant: DownloadVariant, base: ModelManifest = shippedManifest(entry)): ModelManifest {
  const image = variant.files.find((f) => f.role === 'image');
  const text = variant.files.find((f) => f.role === 'text');
  if (!image || !text) throw new Error(`catalogue: ${entry.id} ${variant.precision} lists no image/text graph`);
  return {
    ...base,
    precision: variant.precision,
    image: { ...base.image, file: image.name },
    text: { ...base.text, file: text.name },
  };
}
