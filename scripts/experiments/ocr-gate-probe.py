"""
Experiment (issue 20): could a smaller first look at a photo — the detector at a 640 or 480 px
long side, "any pixel of its text map above 0.3?" — let most photos without text skip the 960 px
"any text?" gate, the cost of a 12 MP phone library? Two checks, both with the shipped PP-OCRv4
detector on every core (same environment as ocr-int8-static.py):

1. photos: the rendered set's images (tall screenshots skip the gate in the app and here) and
   ../shared/photos brought to 12 MP. For each, the text map at 960 / 640 / 480: components DB
   would keep (mean ≥ 0.6, short side ≥ 3 px — a proxy for the app's boxes) and the map's maximum.
   Which photos with text would the small look call empty, and how many without text would it let
   skip the gate.
2. scale: real text crops of test/data/ocr-real (small crops, wide lines, synthetic crops) pasted
   into three shared photos without text brought to 12 MP, at text heights of 16–96 px: from what
   height each size sees them.

Run from the repository root:
  npx tsx scripts/experiments/write-ocr-rendered-set.ts /tmp/ocr-rendered
  /tmp/ortpy/bin/python scripts/experiments/ocr-gate-probe.py /tmp/ocr-rendered <out.json>
Result (rejected): docs/decisions/ocr.md, "A smaller first look before the gate".
"""
import glob, json, os, sys
import numpy as np, cv2

sys.path.insert(0, os.path.dirname(__file__))
from ocr_int8_common import ASSETS, det_input, session  # noqa: E402

rendered, out = sys.argv[1], sys.argv[2]
det = session(ASSETS + 'ch_PP-OCRv4_det_infer.onnx', 2)
SIDES = (960, 640, 480)
cases = json.load(open('test/data/ocr-real/cases.json'))['cases']
labelled = {c['file'] for c in cases}
TWELVE_MP = (4032, 3024)


def look(im, side):
    p = det.run(None, {'x': det_input(im, side)})[0][0, 0]
    n, lab, st, _ = cv2.connectedComponentsWithStats((p > 0.3).astype(np.uint8), connectivity=8)
    boxes = sum(1 for i in range(1, n) if min(st[i][2], st[i][3]) >= 3 and p[lab == i].mean() >= 0.6)
    return {'boxes': boxes, 'max': round(float(p.max()), 4)}


def shared(name):
    return cv2.resize(cv2.imread(os.path.join('../shared/photos', name)), TWELVE_MP, interpolation=cv2.INTER_CUBIC)


photos = []
for f in sorted(glob.glob(os.path.join(rendered, '*'))):
    im = cv2.imread(f, cv2.IMREAD_COLOR) if f.endswith(('.jpg', '.png')) else None
    if im is not None and im.shape[0] <= 2 * im.shape[1]:
        photos.append({'name': os.path.basename(f), 'group': 'rendered, text', **{s: look(im, s) for s in SIDES}})
for f in sorted(glob.glob('../shared/photos/*.JPEG')):
    name = os.path.basename(f)
    group = 'shared at 12 MP, ' + ('text' if name in labelled else 'no text labelled')
    photos.append({'name': name, 'group': group, **{s: look(shared(name), s) for s in SIDES}})
summary = {}
for r in photos:
    g = summary.setdefault(r['group'], {'photos': 0, **{f'{s} sees nothing': 0 for s in SIDES}})
    g['photos'] += 1
    for s in SIDES:
        g[f'{s} sees nothing'] += r[s]['max'] < 0.3
print(json.dumps(summary, indent=1), flush=True)

crops = [c['file'] for c in cases if c['kind'] in ('small-crop', 'wide-line', 'synthetic-crop')][:8]
scale = {}
for b in ['n01440764_tench.JPEG', 'n02894605_breakwater.JPEG', 'n03457902_greenhouse.JPEG']:
    bg = shared(b)
    for f in crops:
        c = cv2.imread(os.path.join('test/data/ocr-real/images', f))
        for h in (16, 24, 32, 48, 64, 96):
            w = int(c.shape[1] * h / c.shape[0])
            im = bg.copy()
            im[1400:1400 + h, 100:100 + w] = cv2.resize(c, (w, h), interpolation=cv2.INTER_AREA)
            row = scale.setdefault(str(h), {'cases': 0, **{f'{s} boxes': 0 for s in SIDES}, **{f'{s} any pixel': 0 for s in SIDES}})
            row['cases'] += 1
            for s in SIDES:
                r = look(im, s)
                row[f'{s} boxes'] += r['boxes'] > 0
                row[f'{s} any pixel'] += r['max'] >= 0.3
print(json.dumps(scale, indent=1))
json.dump({'photos': photos, 'summary': summary, 'scale': scale, 'crops': crops}, open(out, 'w'), indent=1)
