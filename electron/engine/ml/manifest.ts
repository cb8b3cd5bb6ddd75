/**
 * Model manifests: everything the engine needs to know about a model lives here, never in
 * constants elsewhere. A model directory holds `manifest.json` (this schema) next to its graphs;
 * an official Chinese-CLIP ONNX export without a manifest is recognised by its file names and
 * completed from the catalogue (see ./model-dir.ts).
 */
import { z } from 'zod';

const tensorDtype = z.enum(['float32', 'float16', 'int64', 'int32']);

/** How the batch axis of a graph behaves: official exports are fixed at 1. */
const batchAxis = z.enum(['fixed', 'dynamic']);

export const imageTowerSchema = z.object({
  /** Graph file, relative to the model directory. External data (`*.extra_file`) sits beside it. */
  file: z.string().min(1),
  input: z.string().min(1),
  output: z.string().min(1),
  inputDtype: tensorDtype.default('float32'),
  /** Square input resolution: the official transform resizes to (resolution, resolution), no crop. */
  resolution: z.number().int().positive(),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number(), z.number(), z.number()]),
  resize: z.enum(['bicubic', 'bilinear']).default('bicubic'),
  batch: batchAxis.default('fixed'),
});

export const textTowerSchema = z.object({
  file: z.string().min(1),
  input: z.string().min(1),
  output: z.string().min(1),
  inputDtype: z.enum(['int64', 'int32']).default('int64'),
  contextLength: z.number().int().positive(),
  /** WordPiece vocabulary, relative to the model dir; absent = the vocab shipped in resources/. */
  vocab: z.string().optional(),
  vocabSize: z.number().int().positive().default(21128),
  /** Hugging Face style exports also take a mask (and sometimes token types). */
  attentionMaskInput: z.string().optional(),
  tokenTypeIdsInput: z.string().optional(),
  batch: batchAxis.default('fixed'),
  /**
   * The graph takes [batch, n] for any n ≤ contextLength and gives the vector it gives for the
   * ids padded to contextLength, so trailing [PAD] can be trimmed (a 6-token prompt costs 6
   * positions, not 52). Set only by tools that proved it by parity on this graph
   * (ml/quantize/parity.ts); a graph whose input merely looks dynamic is not enough.
   */
  variableLength: z.boolean().optional(),
});

const fidelityStats = z.object({ count: z.number().int(), meanCosine: z.number(), minCosine: z.number() });

/** How an int8 model was made from an fp32 one, and what it measured against it before install. */
export const quantizationSchema = z.object({
  method: z.literal('dynamic-int8'),
  /** The onnxruntime kernel the weight products use. */
  kernel: z.string(),
  sourceId: z.string(),
  createdAt: z.string(),
  /** Weight products left in float (besides every non-weight op), with the reason. */
  keptFloat: z.array(z.string()).default([]),
  fidelity: z
    .object({
      images: fidelityStats,
      texts: fidelityStats,
      /** Mean share of the fp32 top-10 that the int8 model also ranks top-10. */
      top10Overlap: z.object({ textToImage: z.number(), imageToText: z.number() }),
      /** int8 vs fp32 throughput measured in the same run (> 1: int8 is faster). */
      speedup: z.object({ image: z.number(), text: z.number() }),
      checkedOn: z.string(),
      bound: z.object({ meanCosine: z.number(), minCosine: z.number() }),
    })
    .optional(),
});
export type QuantizationInfo = z.infer<typeof quantizationSchema>;

export const manifestSchema = z.object({
  /** Stable id, e.g. `cn-clip-vit-b-16`. Vectors are stored per model id. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  name: z.string().min(1),
  /** RN50 | ViT-B-16 | ViT-L-14 | ViT-L-14-336 | ViT-H-14 | toy | tiny | ... */
  architecture: z.string().min(1),
  embeddingDim: z.number().int().positive(),
  /** CLIP's learned temperature (exp of logit_scale); 100 for the released checkpoints. */
  logitScale: z.number().positive().default(100),
  precision: z.enum(['fp32', 'fp16', 'int8', 'mixed']).default('fp32'),
  image: imageTowerSchema,
  text: textTowerSchema,
  /** Free-form provenance: where the weights came from, how they were exported. */
  source: z.string().optional(),
  quantization: quantizationSchema.optional(),
  /**
   * The embedding cosines that confirm a near-duplicate and tie burst frames together, calibrated
   * for this model's weights (BENCH_ONLY=stacks, docs/decisions/stacks.md); absent: the priors.
   */
  stacks: z.object({ nearCosine: z.number().min(-1).max(1).optional(), burstCosine: z.number().min(-1).max(1).optional() }).optional(),
});

export type ModelManifest = z.infer<typeof manifestSchema>;

/**
 * The embedding space a model's vectors live in: its own id, or for an int8 model made from an fp32
 * one, the source's id. Vectors, their table and the tag prompts' vectors are kept per space, so
 * switching between a model and its int8 version re-encodes nothing: the quantizer refuses to
 * install an int8 model whose vectors drift from the source's (mean cosine < 0.99 on the person's
 * own photos).
 */
export function embeddingSpace(m: Pick<ModelManifest, 'id' | 'quantization'>): string {
  return m.quantization?.sourceId ?? m.id;
}
export type ImageTowerSpec = ModelManifest['image'];
export type TextTowerSpec = ModelManifest['text'];

/** The preprocessing constants of the official Chinese-CLIP (and OpenAI CLIP) image transform. */
export const CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

export function parseManifest(json: unknown, where: string): ModelManifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid model manifest ${where}:\n  ${issues.join('\n  ')}`);
  }
  return parsed.data;
}
