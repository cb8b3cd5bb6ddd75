"""
Experiment helper (issue 20): the OCR graphs' own time at the app's shapes, several graphs with the
same inputs interleaved round by round (so a shared machine's load falls on all of them alike),
each on every core with idle threads sleeping as the app runs them. Best of the rounds, and the
ratio to the first graph named.
  /tmp/ortpy/bin/python scripts/experiments/ocr-graph-time.py det <float.onnx> <other.onnx> …
  /tmp/ortpy/bin/python scripts/experiments/ocr-graph-time.py rec <float.onnx> <other.onnx> …
"""
import os, sys, time
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from ocr_int8_common import session  # noqa: E402

SHAPES = {'det': [(1, 3, 736, 960), (1, 3, 1856, 800)], 'rec': [(6, 3, 48, 320), (6, 3, 48, 960)]}
kind, files, rounds = sys.argv[1], sys.argv[2:], 7
rng = np.random.default_rng(0)
xs = [rng.standard_normal(s).astype(np.float32) for s in SHAPES[kind]]
sessions = {f: session(f) for f in files}
for s in sessions.values():
    for x in xs:
        s.run(None, {'x': x})
best = {(f, i): float('inf') for f in files for i in range(len(xs))}
for _ in range(rounds):
    for f in files:
        for i, x in enumerate(xs):
            t = time.perf_counter()
            sessions[f].run(None, {'x': x})
            best[(f, i)] = min(best[(f, i)], time.perf_counter() - t)
for f in files:
    cells = ['%s %.1f ms (x%.2f)' % ('x'.join(map(str, SHAPES[kind][i][2:])), best[(f, i)] * 1000, best[(files[0], i)] / best[(f, i)]) for i in range(len(xs))]
    print(os.path.basename(f).ljust(20), '  '.join(cells))
