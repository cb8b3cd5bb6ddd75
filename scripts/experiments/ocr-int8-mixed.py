"""
Experiment (issue 20): which layers of the PP-OCRv4 detector and recogniser can be int8 without
losing text — a layer-by-layer sensitivity search, after a plain int8 pass cost 1.7–1.8 points of
characters on the real-world set (docs/decisions/ocr.md, "An int8 detector and recogniser").

Same environment as ocr-int8-static.py. Run from the repository root:
  npx tsx scripts/experiments/write-ocr-rendered-set.ts /tmp/ocr-rendered
  /tmp/ortpy/bin/python scripts/experiments/ocr-int8-mixed.py /tmp/ocr-rendered <out-dir> [det|rec]
  (FROM=<search JSON> KS=8,16 …: the graphs again from a recorded ranking, without the search)
then read both test sets with its graphs, and time them alone (ocr-graph-time.py) and in the pass:
  BENCH_OCR_GRAPHS=<out-dir> BENCH_ONLY=ocr-real BENCH_OCR_VARIANTS=base,rec:rec-k8.onnx,rec:rec-k16.onnx npm run bench
  BENCH_OCR_GRAPHS=<out-dir> BENCH_ONLY=ocr-cost BENCH_OCR_VARIANTS=base,rec:rec-k8.onnx npm run bench
Result (rejected): docs/decisions/ocr.md, "Mixed precision, layer by layer".

Held out: test/data/ocr-real is never read here, and neither are the 11 shared photos it labels.
Calibration and the search's own check use the rendered set and the other shared photos.

1. Calibrate once (MinMax ranges, cached).
2. Per layer: quantize that one layer alone and measure how far the graph's output moves from the
   float graph's on the check images — detector: 1 − IoU of the text maps at the DB threshold
   0.3, pooled over the images; recogniser: edit distance of the greedy CTC reading / characters read by float.
3. Keep the k most sensitive layers in float, for several k: the same error, and the graph's time
   at the app's shapes on every core. Writes <out-dir>/<graph>-k<k>.onnx and <out-dir>/<graph>.json.
"""
import glob, json, os, sys
import numpy as np, cv2, onnx
from onnxruntime.quantization import quantize_static, QuantFormat, QuantType, CalibrationMethod
from onnxruntime.quantization.shape_inference import quant_pre_process

sys.path.insert(0, os.path.dirname(__file__))
from ocr_int8_common import opset13, det_input, line_crops, rec_batch, session, best_ms, calibration_feed, rec_error  # noqa: E402

rendered, out = sys.argv[1], sys.argv[2]
which = sys.argv[3].split(',') if len(sys.argv) > 3 else ['det', 'rec']
# FROM=<a search's JSON> (e.g. docs/benchmarks/ocr-int8-mixed-search-2026-12-07.json): take the
# layer ranking from it instead of searching again, and make only the graphs for KS (k layers kept
# float), calibrated afresh — how the graphs are made again on another machine to time them there.
FROM = json.load(open(os.environ['FROM'])) if os.environ.get('FROM') else None
KS = [int(k) for k in os.environ.get('KS', '0,2,4,6,8,12,16,24,32').split(',')]
os.makedirs(out, exist_ok=True)
held_out = {c['file'] for c in json.load(open('test/data/ocr-real/cases.json'))['cases']}
images = lambda d: sorted(f for f in glob.glob(os.path.join(d, '*')) if f.lower().endswith(('.jpg', '.jpeg', '.png')))
shared = [f for f in images('../shared/photos') if os.path.basename(f) not in held_out]
texts = images(rendered)


def det_error(ref, got):
    # Pooled over the images, so a photo without text (a few stray pixels) does not outweigh a page.
    inter = union = 0
    for r, g in zip(ref, got):
        a, b = r > 0.3, g > 0.3
        inter += np.logical_and(a, b).sum()
        union += np.logical_or(a, b).sum()
    return float(1 - inter / max(1, union))


def run_all(path, data):
    s = session(path, 2)
    return [s.run(None, {'x': d})[0] for d in data]


def time_graph(path, shapes):
    s, rng = session(path, 2), np.random.default_rng(0)
    return [round(best_ms(s, rng.standard_normal(shape).astype(np.float32)), 1) for shape in shapes]


fp32 = {n: opset13(n, out) for n in which}
det_float = session(opset13('det', out), 2)
calib, check = {'det': [], 'rec': []}, {'det': [], 'rec': []}
for i, f in enumerate(texts + shared):
    im = cv2.imread(f, cv2.IMREAD_COLOR)
    if im is None:
        continue
    x = det_input(im)
    batches = []
    if f in texts:
        crops = line_crops(im, det_float.run(None, {'x': x})[0][0, 0])
        batches = [rec_batch(crops[j:j + 6]) for j in range(0, len(crops), 6)]
    # Every image calibrates; every other text image (and every fourth photo) is the search's check.
    calib['det'].append(x)
    calib['rec'] += batches
    if (f in texts and i % 2 == 0) or (f not in texts and i % 4 == 0):
        check['det'].append(x)
        check['rec'] += batches[:3]
print({k: len(v) for k, v in calib.items()}, 'calibration;', {k: len(v) for k, v in check.items()}, 'check', flush=True)

OPS = {'det': ['Conv', 'ConvTranspose'], 'rec': ['Conv', 'MatMul']}
SHAPES = {'det': [(1, 3, 736, 960), (1, 3, 1856, 800)], 'rec': [(6, 3, 48, 320), (6, 3, 48, 960)]}
ERROR = {'det': det_error, 'rec': rec_error}

for name in which:
    pre = os.path.join(out, f'{name}-pre.onnx')
    quant_pre_process(fp32[name], pre, skip_symbolic_shape=True)
    nodes = [n.name for n in onnx.load(pre).graph.node if n.op_type in OPS[name]]
    cache = os.path.join(out, f'{name}-ranges.json')

    def quant(dst, exclude=None, only=None):
        quantize_static(pre, dst, calibration_feed(calib[name]), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax, op_types_to_quantize=OPS[name],
                        nodes_to_quantize=only, nodes_to_exclude=exclude, calibration_cache_path=cache)

    ref = run_all(pre, check[name])
    tmp = os.path.join(out, f'{name}-tmp.onnx')
    result = {'layers': len(nodes), 'float ms': time_graph(pre, SHAPES[name])}
    if FROM:
        # The ranking a full search recorded: only the graphs for KS are made again.
        alone = FROM[name]['alone']
        missing = [n for n in nodes if n not in alone]
        if missing:
            sys.exit(f'{name}: {len(missing)} layers are not in the recorded search (other onnx / runtime versions name them otherwise): {missing[:3]}')
    else:
        quant(tmp)
        result['allInt8Error'] = ERROR[name](ref, run_all(tmp, check[name]))
        print(name, len(nodes), 'layers; all int8 error', round(result['allInt8Error'], 4), flush=True)
        alone = {}
        for i, node in enumerate(nodes):
            quant(tmp, only=[node])
            alone[node] = ERROR[name](ref, run_all(tmp, check[name]))
            print(f'  {i + 1}/{len(nodes)} {node}: {alone[node]:.4f}', flush=True)
    order = sorted(nodes, key=lambda n: -alone[n])
    result['alone'] = alone
    result['sweep'] = []
    for k in KS:
        if k > len(nodes):
            break
        dst = os.path.join(out, f'{name}-k{k}.onnx')
        quant(dst, exclude=order[:k])
        row = {'k': k, 'float': order[:k], 'error': ERROR[name](ref, run_all(dst, check[name])), 'int8 ms': time_graph(dst, SHAPES[name])}
        result['sweep'].append(row)
        print(f'  keep {k} float: error {row["error"]:.4f}, ms {row["int8 ms"]} (float {result["float ms"]})', flush=True)
    json.dump(result, open(os.path.join(out, f'{name}.json'), 'w'), indent=1)
