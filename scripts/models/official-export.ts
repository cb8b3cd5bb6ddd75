/**
 * `npm run models:official [-- --repo PATH] [--out DIR]`: the graphs OFA-Sys's own
 * `cn_clip/deploy/pytorch_to_onnx.py` writes for ViT-B/16 (fp32, opset 13, batch 1), with random
 * weights (`torch.manual_seed(0)` then the official `create_model`), into
 * `.cache/official-export/vit-b-16/` when they are not there yet. For benchmarks only, never
 * committed: it is the graph a person gets from the deployment guide, where the bench model
 * (`npm run models:bench`) is the project's look-alike of it. How: ./official_export.py.
 *
 * Needs Debian's `python3-torch python3-torchvision python3-onnx python3-pil python3-six` and a copy
 * of github.com/OFA-Sys/Chinese-CLIP: `--repo` (or CN_CLIP_REPO) names a checkout or a bare git
 * directory (then its HEAD's `cn_clip/` is extracted with `git archive`). The directory it writes
 * is an official export as `models import` and `--model` recognise it (by file names).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const OFFICIAL_EXPORT_DIR = path.resolve('.cache/official-export/vit-b-16');
const STEM = 'vit-b-16';
const PY_MODULES = ['torch', 'torchvision', 'onnx', 'PIL', 'six', 'numpy'];
const APT = 'apt-get install python3-torch python3-torchvision python3-onnx python3-pil python3-six';
/** Debian's interpreter (where apt puts python3-torch), not whichever python3 comes first on PATH. */
const PYTHON = process.env.SHIGUANG_PYTHON ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** The export's directory when both fp32 graphs are there, else null. */
export function officialExport(dir = OFFICIAL_EXPORT_DIR): string | null {
  const ok = ['img', 'txt'].every((t) => fs.existsSync(path.join(dir, `${STEM}.${t}.fp32.onnx`)));
  return ok ? dir : null;
}

/** A directory holding cn_clip/: the checkout itself, or HEAD of a bare repository extracted. */
function sourceTree(repo: string, work: string): { dir: string; commit: string | null } {
  const git = (args: string[]): string => execFileSync('git', args, { encoding: 'utf8' }).trim();
  if (fs.existsSync(path.join(repo, 'cn_clip', 'deploy', 'pytorch_to_onnx.py'))) {
    let commit: string | null = null;
    try {
      commit = git(['-C', repo, 'rev-parse', 'HEAD']);
    } catch {
      // not a git checkout: fine, the commit is only recorded
    }
    return { dir: repo, commit };
  }
  const commit = git(['--git-dir', repo, 'rev-parse', 'HEAD']);
  const dir = path.join(work, 'Chinese-CLIP');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['--git-dir', repo, 'archive', 'HEAD', 'cn_clip'], { maxBuffer: 256 * 2 ** 20 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return { dir, commit };
}

export function makeOfficialExport(repo: string, out = OFFICIAL_EXPORT_DIR, log = (m: string): void => void process.stderr.write(`${m}\n`)): string {
  const have = officialExport(out);
  if (have) {
    log(`official export already there: ${have}`);
    return have;
  }
  const missing = PY_MODULES.filter((m) => spawnSync(PYTHON, ['-c', `import ${m}`]).status !== 0);
  if (missing.length > 0) throw new Error(`${PYTHON} lacks ${missing.join(', ')}: ${APT}`);
  const work = path.join(path.dirname(out), '.work');
  fs.mkdirSync(work, { recursive: true });
  const src = sourceTree(path.resolve(repo), work);
  const tmp = `${out}.partial`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const logFile = path.join(path.dirname(out), 'export.log');
  log(`exporting ViT-B/16 with ${src.dir}/cn_clip/deploy/pytorch_to_onnx.py (random weights, seed 0) → ${out}; the script's verbose output goes to ${logFile}`);
  const fd = fs.openSync(logFile, 'w');
  const t0 = performance.now();
  const r = spawnSync(PYTHON, [path.resolve('scripts/models/official_export.py'), '--repo', src.dir, '--out', tmp, '--arch', 'ViT-B-16', '--seed', '0'], { stdio: ['ignore', fd, 'inherit'] });
  fs.closeSync(fd);
  if (r.status !== 0) throw new Error(`the export failed (exit ${r.status ?? r.signal}); see ${logFile}`);
  const torch = execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();
  const record = {
    what: 'OFA-Sys/Chinese-CLIP cn_clip/deploy/pytorch_to_onnx.py --model-arch ViT-B-16 --convert-text --convert-vision (fp32 graphs only)',
    weights: 'random: torch.manual_seed(0), then cn_clip.clip.utils.create_model("ViT-B-16@RoBERTa-wwm-ext-base-chinese")',
    chineseClipCommit: src.commit,
    torch,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    date: new Date().toISOString(),
  };
  fs.writeFileSync(path.join(tmp, 'export.json'), `${JSON.stringify(record, null, 2)}\n`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(tmp, out);
  fs.rmSync(work, { recursive: true, force: true });
  log(`official export written in ${record.seconds} s: ${out}`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const repo = flag('--repo') ?? process.env.CN_CLIP_REPO;
  const out = path.resolve(flag('--out') ?? OFFICIAL_EXPORT_DIR);
  if (!officialExport(out) && !repo) {
    process.stderr.write('give a copy of github.com/OFA-Sys/Chinese-CLIP: --repo PATH (a checkout or a bare git directory) or CN_CLIP_REPO\n');
    process.exit(2);
  }
  makeOfficialExport(repo ?? '', out);
}
