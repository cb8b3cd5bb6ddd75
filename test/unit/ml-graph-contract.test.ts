import { describe, expect, it } from 'vitest';
import { checkImageGraph, checkTextGraph } from '../../electron/engine/ml/graph-contract.ts';
import { CLIP_MEAN, CLIP_STD } from '../../electron/engine/ml/manifest.ts';

const imageSpec = { file: 'x.onnx', input: 'image', output: 'unnorm_image_features', inputDtype: 'float32' as const, resolution: 224, mean: CLIP_MEAN, std: CLIP_STD, resize: 'bicubic' as const, batch: 'fixed' as const };
const textSpec = { file: 't.onnx', input: 'text', output: 'unnorm_text_features', inputDtype: 'int64' as const, contextLength: 52, vocabSize: 21128, batch: 'fixed' as const };

describe('graph contract check', () => {
  it('accepts the official export contract', () => {
    const r = checkImageGraph(
      { inputs: [{ name: 'image', isTensor: true, type: 'float32', shape: [1, 3, 224, 224] }], outputs: [{ name: 'unnorm_image_features', isTensor: true, type: 'float32', shape: [1, 512] }] },
      imageSpec,
      512,
    );
    expect(r).toEqual({ problems: [], dynamicBatch: false });
  });

  it('says what differs: names, resolution, dimension, dtype', () => {
    const r = checkImageGraph(
      { inputs: [{ name: 'pixel_values', isTensor: true, type: 'float16', shape: [1, 3, 336, 336] }], outputs: [{ name: 'unnorm_image_features', isTensor: true, type: 'float32', shape: [1, 768] }] },
      imageSpec,
      512,
    );
    expect(r.problems.join('\n')).toContain('image input "image" not found (graph has: pixel_values)');
    expect(r.problems.join('\n')).toContain('shape [1,768], expected [batch,512]');
    const r2 = checkImageGraph(
      { inputs: [{ name: 'image', isTensor: true, type: 'float16', shape: [1, 3, 336, 336] }], outputs: [{ name: 'unnorm_image_features', isTensor: true, shape: ['b', 512] }] },
      imageSpec,
      512,
    );
    expect(r2.problems).toEqual([
      'image input "image" is float16, manifest says float32',
      'image input "image" has shape [1,3,336,336], expected [batch,3,224,224]',
    ]);
  });

  it('detects a dynamic batch axis and a manifest that claims one the graph lacks', () => {
    const graph = { inputs: [{ name: 'image', isTensor: true, type: 'float32', shape: ['batch', 3, 224, 224] }], outputs: [{ name: 'unnorm_image_features', isTensor: true, shape: ['batch', 512] }] };
    expect(checkImageGraph(graph, { ...imageSpec, batch: 'dynamic' }, 512)).toEqual({ problems: [], dynamicBatch: true });
    const fixed = { ...graph, inputs: [{ ...graph.inputs[0], shape: [1, 3, 224, 224] }] };
    expect(checkImageGraph(fixed, { ...imageSpec, batch: 'dynamic' }, 512).problems[0]).toMatch(/dynamic but the graph fixes it to 1/);
  });

  it('checks the text tower, including extra inputs the manifest does not describe', () => {
    const ok = checkTextGraph({ inputs: [{ name: 'text', isTensor: true, type: 'int64', shape: [1, 52] }], outputs: [{ name: 'unnorm_text_features', isTensor: true, shape: [1, 512] }] }, textSpec, 512);
    expect(ok.problems).toEqual([]);
    const hf = checkTextGraph(
      { inputs: [{ name: 'text', isTensor: true, type: 'int64', shape: [1, 77] }, { name: 'attention_mask', isTensor: true, type: 'int64', shape: [1, 77] }], outputs: [{ name: 'unnorm_text_features', isTensor: true, shape: [1, 512] }] },
      textSpec,
      512,
    );
    expect(hf.problems).toEqual([
      'text graph has an input "attention_mask" that the manifest does not describe',
      'text input "text" has shape [1,77], expected [batch,52]',
    ]);
  });
});
