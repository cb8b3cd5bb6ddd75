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
import glob, json, os, sys, time
import numpy as np, cv2, onnx
from onnx import numpy_helper, version_converter
from onnxruntime.quantization import quantize_static, QuantFormat, QuantType, CalibrationDataReader, CalibrationMethod
from onnxruntime.quantization.shape_inference import quant_pre_process
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ocr_int8_common import det_input, line_crops, rec_batch, session
folded, rendered, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)

def prep(src, name):
    m = onnx.load(src)
    keep = []
    for n in m.graph.node:
        if n.op_type == 'Constant' and len(n.attribute) == 1 and n.attribute[0].name == 'value':
            m.graph.initializer.append(numpy_helper.from_array(numpy_helper.to_array(n.attribute[0].t), n.output[0]))
        else:
            keep.append(n)
    del m.graph.node[:]; m.graph.node.extend(keep)
    if m.opset_import[0].version < 13:
        m = version_converter.convert_version(m, 13)
    p = os.path.join(out, name + '-13.onnx'); onnx.save(m, p)
    pre = os.path.join(out, name + '-pre.onnx'); quant_pre_process(p, pre, skip_symbolic_shape=True)
    return pre
pre = prep(os.path.join(folded, 'rec.folded.onnx'), 'rec')
det = session(os.path.join(folded, 'det.folded.onnx'), 2)
imgs = lambda d: sorted(f for f in glob.glob(os.path.join(d, '*')) if f.lower().endswith(('.jpg', '.jpeg', '.png')))
texts = imgs(rendered)
calib, check = [], []
for i, f in enumerate(texts):
    im = cv2.imread(f, cv2.IMREAD_COLOR)
    crops = line_crops(im, det.run(None, {'x': det_input(im)})[0][0, 0])
    b = [rec_batch(crops[j:j + 6]) for j in range(0, len(crops), 6)]
    calib += b
    if i % 2 == 0: check += b[:3]
print(len(calib), 'calib batches', len(check), 'check', flush=True)
class Feed(CalibrationDataReader):
    def __init__(s, d): s.it = iter([{'x': x} for x in d])
    def get_next(s): return next(s.it, None)
def ctc(l):
    out = []
    for row in l.argmax(-1):
        s, p = [], 0
        for c in row:
            if c != p and c != 0: s.append(int(c))
            p = c
        out.append(s)
    return out
def edits(a, b):
    d = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        p, d[0] = d[0], i
        for j, y in enumerate(b, 1):
            p, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, p + (x != y))
    return d[len(b)]
def err(path):
    s = session(path, 2); e = n = 0
    for x, r in zip(check, ref):
        for a, b in zip(ctc(r), ctc(s.run(None, {'x': x})[0])):
            e += edits(a, b); n += max(1, len(a))
    return e / n
s0 = session(pre, 2); ref = [s0.run(None, {'x': x})[0] for x in check]
m = onnx.load(pre); init = {i.name: i for i in m.graph.initializer}
def conv_info(n):
    w = init.get(n.input[1]); a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
    return list(w.dims) if w is not None else None, a.get('group', 1)
pw = [n.name for n in m.graph.node if n.op_type == 'Conv' and conv_info(n)[0] and conv_info(n)[0][2:] == [1, 1] and conv_info(n)[1] == 1]
pw_big = [n.name for n in m.graph.node if n.name in pw and conv_info(n)[0][1] >= 120]
print(len(pw), 'pointwise convs,', len(pw_big), 'with >= 120 input channels', flush=True)
cache = os.path.join(out, 'rec-ranges.json')
variants = {'all': (['Conv', 'MatMul'], None), 'pw': (['Conv'], pw), 'pwbig': (['Conv'], pw_big)}
paths = {'float': pre}
for k, (ops, only) in variants.items():
    dst = os.path.join(out, f'rec-{k}.onnx')
    quantize_static(pre, dst, Feed(calib), quant_format=QuantFormat.QDQ, per_channel=True, activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax, op_types_to_quantize=ops,
                    nodes_to_quantize=only, calibration_cache_path=cache)
    paths[k] = dst
    print(k, 'error', round(err(dst), 4), flush=True)
shapes = [(6, 3, 48, 320), (6, 3, 48, 960)]
rng = np.random.default_rng(0); xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
ss = {k: session(p, 2) for k, p in paths.items()}
best = {(k, i): 1e9 for k in ss for i in range(2)}
for _ in range(7):
    for k, s in ss.items():
        for i, x in enumerate(xs):
            t = time.perf_counter(); s.run(None, {'x': x}); best[(k, i)] = min(best[(k, i)], time.perf_counter() - t)
for k in ss:
    print(k, ['%.1f ms x%.2f' % (best[(k, i)] * 1000, best[('float', i)] / best[(k, i)]) for i in range(2)])
