/**
 * Tagging's hot loop on ONNX Runtime: cosines of a page of photo vectors against every tag vector
 * (one matrix product, which MLAS runs near the CPU's peak with AVX2/AVX-512 or NEON), and the
 * softmax partition log Σ exp(logitScale · cosine) over the first `count` tags (the taxonomy).
 * This replaced a hand-assembled WebAssembly kernel: the runtime the engine already ships does
 * the same job faster (see docs/tags.md), and there is nothing opaque to maintain.
 *
 * The graph is generic — photos [N, D], tags [D, T], count, scale are all inputs — so one session
 * per process serves every model and every set of custom tags. It is built here from a few nodes
 * with onnx-proto rather than shipped as a file. One intra-op thread: tagging runs beside the
 * encoder workers and must not take their cores; a page of 1024 photos × 515 tags is ~5 ms.
 */
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';

const { onnx } = onnxProto;

function scoreGraph(): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const I64 = onnx.TensorProto.DataType.INT64;
  const input = (name: string, elemType: number, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
  const ints = (name: string, values: number[]): onnxProto.onnx.ITensorProto => ({ name, dataType: I64, dims: [values.length], int64Data: values });
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'tag-scores',
    input: [input('photos', F, ['n', 'd']), input('tags', F, ['d', 't']), input('count', I64, [1]), input('scale', F, [])],
    output: [input('scores', F, ['n', 't']), input('log_z', F, ['n'])],
    initializer: [ints('zero', [0]), ints('axis1', [1])],
    node: [
      { opType: 'MatMul', input: ['photos', 'tags'], output: ['scores'] },
      { opType: 'Slice', input: ['scores', 'zero', 'count', 'axis1'], output: ['taxonomy'] },
      { opType: 'Mul', input: ['taxonomy', 'scale'], output: ['logits'] },
      {
        opType: 'ReduceLogSumExp',
        input: ['logits'],
        output: ['log_z'],
        attribute: [
          { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] },
          { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 },
        ],
      },
    ],
  };
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'shiguang', graph });
  return onnx.ModelProto.encode(model).finish();
}

export interface ScoredPage {
  /** rows × tagCount cosines, row-major. */
  scores: Float32Array;
  /** log Σ_{j < count} exp(scale · cosine_j) per row. */
  logZ: Float32Array;
}

export class ScoreMatrixSession {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async open(): Promise<ScoreMatrixSession> {
    const session = await ort.InferenceSession.create(scoreGraph(), {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    return new ScoreMatrixSession(session);
  }

  /**
   * `photos`: rows × dim, `tagsT`: dim × tagCount (the tag matrix transposed), `count`: how many
   * leading tags the partition covers (1 ≤ count ≤ tagCount).
   */
  async run(photos: Float32Array, rows: number, dim: number, tagsT: Float32Array, tagCount: number, count: number, scale: number): Promise<ScoredPage> {
    const out = await this.session.run({
      photos: new ort.Tensor('float32', photos, [rows, dim]),
      tags: new ort.Tensor('float32', tagsT, [dim, tagCount]),
      count: new ort.Tensor('int64', BigInt64Array.of(BigInt(count)), [1]),
      scale: new ort.Tensor('float32', Float32Array.of(scale), []),
    });
    return { scores: out.scores!.data as Float32Array, logZ: out.log_z!.data as Float32Array };
  }
}

let shared: Promise<ScoreMatrixSession> | undefined;

/** The process's one scoring session, opened on first use. */
export function scoreMatrixSession(): Promise<ScoreMatrixSession> {
  if (!shared) {
    shared = ScoreMatrixSession.open();
    shared.catch(() => (shared = undefined)); // a failed open is retried next time
  }
  return shared;
}
