/**
 * Cosines of many photo vectors against a fixed set of tag vectors, a page at a time, plus the
 * softmax partition over the taxonomy: the matrix product runs on ONNX Runtime (ml/score-matrix.ts).
 * Vectors are L2-normalised on both sides, so a dot product is the cosine.
 */
import { scoreMatrixSession } from '../ml/score-matrix.ts';

/** Photos per call: 1024 × 512 floats = 2 MiB, which keeps the working set in cache. */
const PAGE = 1024;

export interface Scores {
  /** Row i of the page is values[i*stride .. i*stride + tagCount). */
  values: Float32Array;
  stride: number;
  rows: number;
  /**
   * log Σ_j exp(logitScale · c_j) over the first `count` tags of each row, when score() was asked
   * for a partition; -Infinity per row for an empty taxonomy.
   */
  logZ?: Float64Array;
}

export interface PartitionSpec {
  /** Leading tags that share one softmax (the taxonomy). */
  count: number;
  logitScale: number;
}

export class TagScorer {
  /** The most rows one score() call takes. */
  static readonly pageRows = PAGE;
  readonly tagCount: number;
  readonly stride: number;
  /** dim × tagCount: the layout the matrix product wants. */
  private readonly tagsT: Float32Array;

  /** tagVectors: tagCount × dim, row-major, each row L2-normalised. */
  constructor(
    tagVectors: Float32Array,
    readonly dim: number,
  ) {
    if (dim <= 0 || tagVectors.length % dim !== 0) throw new Error(`tag matrix of ${tagVectors.length} floats is not a multiple of dim ${dim}`);
    this.tagCount = tagVectors.length / dim;
    this.stride = this.tagCount;
    this.tagsT = new Float32Array(dim * this.tagCount);
    for (let t = 0; t < this.tagCount; t++) for (let k = 0; k < dim; k++) this.tagsT[k * this.tagCount + t] = tagVectors[t * dim + k]!;
  }

  /**
   * Cosines for up to pageRows photos starting at row `from` of a row-major batch, and the
   * partition over the first `partition.count` tags when asked. Callers loop with `pageRows` to
   * walk a batch of any size.
   */
  async score(vectors: Float32Array, from: number, rows: number, partition?: PartitionSpec): Promise<Scores> {
    if (rows > PAGE) throw new Error(`at most ${PAGE} rows per call`);
    const { dim, tagCount } = this;
    if (rows === 0 || tagCount === 0) return { values: new Float32Array(0), stride: tagCount, rows, logZ: partition && new Float64Array(rows).fill(-Infinity) };
    const page = vectors.subarray(from * dim, (from + rows) * dim);
    const count = partition ? Math.min(partition.count, tagCount) : 1;
    const session = await scoreMatrixSession();
    const out = await session.run(page, rows, dim, this.tagsT, tagCount, Math.max(1, count), partition?.logitScale ?? 1);
    const result: Scores = { values: out.scores, stride: tagCount, rows };
    if (partition) result.logZ = count === 0 ? new Float64Array(rows).fill(-Infinity) : Float64Array.from(out.logZ);
    return result;
  }
}
