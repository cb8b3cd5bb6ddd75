"""
The official Chinese-CLIP ONNX export, made here with random weights, for benchmarks only.

Runs OFA-Sys/Chinese-CLIP's own `cn_clip/deploy/pytorch_to_onnx.py`, unmodified, with the
arguments of its deployment guide (`--model-arch ViT-B-16 --convert-text --convert-vision`): fp32,
opset 13, batch 1, the image tower traced without constant folding. The checkpoint it converts is
the official `create_model` after `torch.manual_seed(SEED)`: the real architecture and layer
shapes, random weights (no weights can be downloaded here, and none are needed to time a graph).

Two things are stubbed, both after the fp32 graphs are written and neither touching them:
`onnxmltools` (not packaged by Debian) whose only use is the fp16 conversion, and `onnx`'s
load/save for that conversion, so no fp16 copies are written. The script's `verbose=True` graph
dump goes to stdout; the caller (official-export.ts) sends it to a log file.

Usage: python3 official_export.py --repo CHINESE_CLIP_CHECKOUT --out DIR [--arch ViT-B-16] [--seed 0]
Writes DIR/<stem>.img.fp32.onnx and DIR/<stem>.txt.fp32.onnx (stem: vit-b-16 for ViT-B-16).
"""
import argparse
import os
import runpy
import sys
import types


class _SkippedFp16:
    """Stands for a model the fp16 step would have loaded; saving it writes nothing."""

    def __init__(self, path):
        self.path = path


def _stub_fp16_step():
    import onnx

    real_load, real_save = onnx.load_model, onnx.save_model
    fp32_written = set()

    def load_model(path, *args, **kwargs):
        # The script reloads each fp32 graph only to convert it to fp16.
        fp32_written.add(path)
        return _SkippedFp16(path)

    def save_model(model, *args, **kwargs):
        if isinstance(model, _SkippedFp16):
            return None
        return real_save(model, *args, **kwargs)

    onnx.load_model, onnx.save_model = load_model, save_model
    tools = types.ModuleType("onnxmltools")
    utils = types.ModuleType("onnxmltools.utils")
    utils.convert_float_to_float16 = lambda model, **kwargs: model
    tools.utils = utils
    sys.modules["onnxmltools"] = tools
    sys.modules["onnxmltools.utils"] = utils
    return real_load


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repo", required=True, help="a checkout of OFA-Sys/Chinese-CLIP (needs cn_clip/)")
    p.add_argument("--out", required=True)
    p.add_argument("--arch", default="ViT-B-16")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    repo = os.path.abspath(a.repo)
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    # The deployment guide's PYTHONPATH: the repository and its cn_clip/ (the script imports both
    # `cn_clip.clip` and `clip.utils`).
    sys.path[:0] = [repo, os.path.join(repo, "cn_clip")]

    import torch

    torch.manual_seed(a.seed)
    from cn_clip.clip.utils import _MODEL_INFO, create_model

    model = create_model(_MODEL_INFO[a.arch]["struct"])
    ckpt = os.path.join(out, "random-weights.pt")
    torch.save({"state_dict": model.state_dict()}, ckpt)
    del model

    _stub_fp16_step()
    stem = a.arch.lower()
    script = os.path.join(repo, "cn_clip", "deploy", "pytorch_to_onnx.py")
    sys.argv = [
        script,
        "--model-arch", a.arch,
        "--pytorch-ckpt-path", ckpt,
        "--save-onnx-path", os.path.join(out, stem),
        "--convert-text",
        "--convert-vision",
    ]
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        os.remove(ckpt)
    for tower in ("img", "txt"):
        f = os.path.join(out, f"{stem}.{tower}.fp32.onnx")
        if not os.path.isfile(f):
            raise SystemExit(f"the official script did not write {f}")
    sys.stderr.write(f"torch {torch.__version__}: wrote {stem}.img.fp32.onnx and {stem}.txt.fp32.onnx in {out}\n")


if __name__ == "__main__":
    main()
