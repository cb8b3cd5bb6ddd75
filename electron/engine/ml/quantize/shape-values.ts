/**
 * Integer values of the small shape computations exporters leave in a graph traced without
 * constant folding: `Slice` bounds built as `Shape → Gather → Add 2 → Div 3 → Mul k` (PyTorch's
 * packed `in_proj` split) and `Reshape` targets built from `Constant → Unsqueeze → Concat`.
 * A rewrite uses them to check what a pattern really computes before replacing it, instead of
 * trusting node names. Values it cannot know (a dimension that is only known at run time) are
 * null; arithmetic on an unknown value stays unknown.
 */
import { ConstantFolder, GraphIndex, attrInt, attrInts } from './graph-tools.ts';

export type Ints = (number | null)[];

/** ONNX integer division truncates toward zero. */
const div = (a: number, b: number): number => Math.trunc(a / b);

export class ShapeValues {
  private readonly memo = new Map<string, Promise<Ints | null>>();

  /** `knownShapes`: tensors whose shape (or part of it, null where unknown) the caller knows. */
  constructor(
    private readonly folder: ConstantFolder,
    private readonly index: GraphIndex,
    private readonly knownShapes = new Map<string, Ints>(),
  ) {}

  knowShape(name: string, dims: Ints): void {
    this.knownShapes.set(name, dims);
    this.memo.clear();
  }

  /** The integer values of `name` (a 0-D value comes back as one element), or null. */
  ints(name: string): Promise<Ints | null> {
    let v = this.memo.get(name);
    if (!v) {
      v = this.compute(name);
      this.memo.set(name, v);
    }
    return v;
  }

  /** Every value known: numbers, else null. */
  async known(name: string): Promise<number[] | null> {
    const v = await this.ints(name);
    return v && v.every((x) => x !== null) ? (v as number[]) : null;
  }

  private async compute(name: string): Promise<Ints | null> {
    const c = await this.folder.value(name);
    if (c) return c.data instanceof Float32Array ? null : Array.from(c.data as ArrayLike<number | bigint>, (x) => Number(x));
    const node = this.index.producer.get(name);
    if (!node) return null;
    const inputs = node.input ?? [];
    const arg = (i: number): Promise<Ints | null> => (inputs[i] ? this.ints(inputs[i]!) : Promise.resolve(null));
    switch (node.opType) {
      case 'Shape': {
        const dims = this.knownShapes.get(inputs[0] ?? '');
        if (!dims) return null;
        const rank = dims.length;
        const norm = (a: number): number => (a < 0 ? a + rank : a);
        const start = norm(attrInt(node, 'start', 0));
        const end = node.attribute?.some((a) => a.name === 'end') ? norm(attrInt(node, 'end', rank)) : rank;
        return dims.slice(start, end);
      }
      case 'Gather': {
        const [data, idx] = [await arg(0), await this.known(inputs[1] ?? '')];
        if (!data || !idx || attrInt(node, 'axis', 0) !== 0) return null;
        return idx.map((i) => data[i < 0 ? i + data.length : i] ?? null);
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const [a, b] = [await arg(0), await arg(1)];
        if (!a || !b) return null;
        const n = Math.max(a.length, b.length);
        if ((a.length !== n && a.length !== 1) || (b.length !== n && b.length !== 1)) return null;
        const op = node.opType;
        return Array.from({ length: n }, (_, i) => {
          const x = a[a.length === 1 ? 0 : i];
          const y = b[b.length === 1 ? 0 : i];
          if (x == null || y == null) return null;
          if (op === 'Add') return x + y;
          if (op === 'Sub') return x - y;
          if (op === 'Mul') return x * y;
          return y === 0 ? null : div(x, y);
        });
      }
      case 'Unsqueeze':
      case 'Squeeze':
      case 'Identity':
      case 'Cast':
        return arg(0); // values unchanged; these only reshape a scalar ↔ [1]
      case 'Concat': {
        if (attrInt(node, 'axis', 0) !== 0) return null;
        const parts: Ints = [];
        for (let i = 0; i < inputs.length; i++) {
          const p = await arg(i);
          if (!p) return null;
          parts.push(...p);
        }
        return parts;
      }
      default:
        return null;
    }
  }
}

/** A Transpose's permutation (default: reversed axes of a tensor of `rank`). */
export function permOf(node: { attribute?: unknown } & Parameters<typeof attrInts>[0], rank: number): number[] {
  return attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
}
