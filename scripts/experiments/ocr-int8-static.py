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
  BENCH_OCR_GRAPHS=<out-dir> BENCH_ONLY=ocr-real BENCH_OCR_VARIANTS=base,det:det.onnx,rec:rec.onnx npm run bench

Steps: the graphs' Constant nodes become initializers and both move to opset 13 (per-channel
Q/DQ needs it; the recogniser is opset 9); calibration (MinMax) on the detector inputs and
recogniser line batches of test/data/ocr-real (the ../shared/photos glob below matches none of their
.JPEG names: the recorded run calibrated on the real set alone; kept as it ran), prepared as the app does
(960 px long side, multiples of 32, BGR ImageNet normalisation; lines 48 px high, padded to ≥ 320);
QDQ, per-channel int8 weights, uint8 activations; OPS limits the op types (default: all ORT supports).
"""
import glob, os, sys
import numpy as np, cv2, onnxruntime as ort
from onnxruntime.quantization import quantize_static, QuantFormat, QuantType, CalibrationMethod
from onnxruntime.quantization.shape_inference import quant_pre_process

sys.path.insert(0, os.path.dirname(__file__))
from ocr_int8_common import opset13, det_input, line_crops, rec_batch, best_ms, calibration_feed  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


det_path, rec_path = opset13('det', out), opset13('rec', out)
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
    quantize_static(pre, os.path.join(out, f'{name}.onnx'), calibration_feed(data), quant_format=QuantFormat.QDQ, per_channel=True,
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
            ms[kind] = best_ms(s, x)
        print(name, shape, 'fp32 %.1f ms, int8 %.1f ms: x%.2f' % (ms['fp32'], ms['int8'], ms['fp32'] / ms['int8']))
