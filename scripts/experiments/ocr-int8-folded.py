"""
Experiment (issue 20, stop 30): post-training int8 on the *folded* recogniser — the lever the
notes had left "not re-measured on the folded graphs". Same environment as ocr-int8-static.py.
  npx tsx scripts/experiments/write-folded-ocr-graphs.ts /tmp/ocr-folded
  npx tsx scripts/experiments/write-ocr-rendered-set.ts /tmp/ocr-rendered
  /tmp/ortpy/bin/python scripts/experiments/ocr-int8-folded.py /tmp/ocr-folded /tmp/ocr-rendered <out-dir>
QDQ, per-channel int8 weights, uint8 activations, MinMax calibration on the rendered set (every
line batch), checked on every other image's first three batches (edit distance of the greedy
CTC reading against the float graph's); then every graph timed at 6 x 48 x 320 / 960 on two
threads, best of seven interleaved rounds. Three variants: every Conv and MatMul; the 1 x 1
convolutions only (53 % of the graph's time); those with at least 120 input channels.
Result (rejected, slower than float): docs/decisions/ocr.md, "Stop 30".
"""
import glob, os, sys
import numpy as np, cv2, onnx
from onnxruntime.quantization import quantize_static, QuantFormat, QuantType, CalibrationMethod
from onnxruntime.quantization.shape_inference import quant_pre_process

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ocr_int8_common import opset13, det_input, line_crops, rec_batch, session, best_ms, calibration_feed, rec_error  # noqa: E402

folded, rendered, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
pre = os.path.join(out, 'rec-pre.onnx')
quant_pre_process(opset13('rec', out, os.path.join(folded, 'rec.folded.onnx')), pre, skip_symbolic_shape=True)
det = session(os.path.join(folded, 'det.folded.onnx'), 2)

# Line batches cut from the rendered set as the app's detector finds them: all calibrate, every
# other image's first three are the check.
calib, check = [], []
texts = sorted(f for f in glob.glob(os.path.join(rendered, '*')) if f.lower().endswith(('.jpg', '.jpeg', '.png')))
for i, f in enumerate(texts):
    im = cv2.imread(f, cv2.IMREAD_COLOR)
    crops = line_crops(im, det.run(None, {'x': det_input(im)})[0][0, 0])
    batches = [rec_batch(crops[j:j + 6]) for j in range(0, len(crops), 6)]
    calib += batches
    if i % 2 == 0:
        check += batches[:3]
print(len(calib), 'calibration batches,', len(check), 'check', flush=True)


def run_all(path):
    s = session(path, 2)
    return [s.run(None, {'x': x})[0] for x in check]


ref = run_all(pre)
m = onnx.load(pre)
weights = {i.name: list(i.dims) for i in m.graph.initializer}


def pointwise(n, min_in=0):
    """A 1 x 1, ungrouped convolution with at least `min_in` input channels."""
    w = weights.get(n.input[1]) if n.op_type == 'Conv' else None
    group = next((onnx.helper.get_attribute_value(a) for a in n.attribute if a.name == 'group'), 1)
    return w is not None and w[2:] == [1, 1] and group == 1 and w[1] >= min_in


pw = [n.name for n in m.graph.node if pointwise(n)]
pw_big = [n.name for n in m.graph.node if pointwise(n, 120)]
print(len(pw), 'pointwise convolutions,', len(pw_big), 'with >= 120 input channels', flush=True)
variants = {'all': (['Conv', 'MatMul'], None), 'pw': (['Conv'], pw), 'pwbig': (['Conv'], pw_big)}
paths = {'float': pre}
for k, (ops, only) in variants.items():
    dst = os.path.join(out, f'rec-{k}.onnx')
    quantize_static(pre, dst, calibration_feed(calib), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax, op_types_to_quantize=ops, nodes_to_quantize=only,
                    calibration_cache_path=os.path.join(out, 'rec-ranges.json'))
    paths[k] = dst
    print(k, 'error', round(rec_error(ref, run_all(dst)), 4), flush=True)

# Best of seven interleaved rounds, so a shared machine's load falls on every graph alike.
rng = np.random.default_rng(0)
xs = [rng.standard_normal(shape).astype(np.float32) for shape in [(6, 3, 48, 320), (6, 3, 48, 960)]]
sessions = {k: session(p, 2) for k, p in paths.items()}
best = {(k, i): float('inf') for k in sessions for i in range(len(xs))}
for _ in range(7):
    for k, s in sessions.items():
        for i, x in enumerate(xs):
            best[(k, i)] = min(best[(k, i)], best_ms(s, x, runs=1))
for k in sessions:
    print(k, ['%.1f ms x%.2f' % (best[(k, i)], best[('float', i)] / best[(k, i)]) for i in range(len(xs))])
