/**
 * The generated towers reproduce what the official export script (torch.onnx.export, opset 13,
 * image without constant folding) writes, so the quantizer and the variable-length rewrite are
 * tested on those patterns: checked on the small 'mini-clip' model, built by the same code as the
 * full-size bench models.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConstantFolder, GraphIndex } from '../../electron/engine/ml/quantize/graph-tools.ts';
import { OnnxModel, isExternal, toNum } from '../../electron/engine/ml/quantize/onnx-model.ts';
import { generateMiniClip } from '../../scripts/models/mini-clip.ts';

let dir: string;
let image: OnnxModel;
let text: OnnxModel;

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shiguang-patterns-'));
  await generateMiniClip(dir);
  image = await OnnxModel.load(path.join(dir, 'mini.img.fp32.onnx'));
  text = await OnnxModel.load(path.join(dir, 'mini.txt.fp32.onnx'));
});

afterAll(async () => {
  await image.close();
  await text.close();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

const ops = (m: OnnxModel): string[] => (m.graph.node ?? []).map((n) => n.opType ?? '');

describe('mini-clip in the official export form', () => {
  it('is opset 13 / IR 7 with decomposed LayerNorm and weights in .extra_file', () => {
    for (const m of [image, text]) {
      expect(m.opsetVersion('')).toBe(13);
      expect(toNum(m.proto.irVersion)).toBe(7);
      expect(ops(m)).not.toContain('LayerNormalization');
      expect(ops(m)).toContain('ReduceMean');
      expect((m.graph.initializer ?? []).some(isExternal)).toBe(true);
    }
    expect(fs.existsSync(path.join(dir, 'mini.img.fp32.onnx.extra_file'))).toBe(true);
  });

  it('image tower: weights reach MatMul through Transpose (and Identity), MHA packs one in-projection, out-projection is Gemm transB=1', async () => {
    const index = new GraphIndex(image.graph);
    const folder = new ConstantFolder(image, index);
    const matmuls = (image.graph.node ?? []).filter((n) => n.opType === 'MatMul');
    const viaTranspose = matmuls.filter((n) => index.producer.get(n.input![1]!)?.opType === 'Transpose' && folder.sourceInitializer(n.input![1]!));
    expect(viaTranspose.length).toBe(6); // in_proj, c_fc, c_proj in each of 2 blocks
    const identityChains = viaTranspose.filter((n) => index.producer.get(index.producer.get(n.input![1]!)!.input![0]!)?.opType === 'Identity');
    expect(identityChains.length).toBe(1);
    // The in-projection weight is [3W, W] and its product is split by three Slices.
    const inProj = viaTranspose.find((n) => folder.sourceInitializer(n.input![1]!)?.dims?.map(toNum).join('x') === '192x64');
    expect(inProj).toBeDefined();
    const add = index.consumersOf(inProj!.output![0]!)[0]!;
    expect(add.opType).toBe('Add');
    expect(index.consumersOf(add.output![0]!).filter((n) => n.opType === 'Slice')).toHaveLength(3);
    const gemms = (image.graph.node ?? []).filter((n) => n.opType === 'Gemm');
    expect(gemms).toHaveLength(2);
    for (const g of gemms) expect(g.attribute!.find((a) => a.name === 'transB')?.i).toBeTruthy();
    expect(ops(image).filter((o) => o === 'Conv')).toHaveLength(1);
  });

  it('text tower: folded [in,out] weights, the context length in Constants, the mask computed from the ids', async () => {
    const index = new GraphIndex(text.graph);
    const folder = new ConstantFolder(text, index);
    const weightMatMuls = (text.graph.node ?? []).filter((n) => n.opType === 'MatMul' && index.initializers.has(n.input![1]!));
    expect(weightMatMuls).toHaveLength(2 * 6 + 1);
    const reshapeShapes = await Promise.all((text.graph.node ?? []).filter((n) => n.opType === 'Reshape').map((n) => folder.value(n.input![1]!)));
    expect(reshapeShapes.every((s) => s && Array.from(s.data as BigInt64Array, Number).includes(52))).toBe(true);
    const expand = (text.graph.node ?? []).find((n) => n.opType === 'Expand')!;
    expect(index.producer.get(expand.input![0]!)?.opType).toBe('Constant');
    expect((await folder.value(expand.input![0]!))!.dims).toEqual([52]);
    expect(ops(text)).toEqual(expect.arrayContaining(['Equal', 'Not', 'Cast', 'Unsqueeze', 'Softmax', 'Erf']));
    expect(text.graph.input![0]!.type!.tensorType!.shape!.dim!.map((d) => toNum(d.dimValue))).toEqual([1, 52]);
  });
});
