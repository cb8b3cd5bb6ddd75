/**
 * `models quantize SRC OUT` / `models quantize ID`: make an int8 model from an fp32 one (an
 * official export or any model directory; or an installed model, installed beside it as
 * `<id>-int8`), measure it against the fp32 model on the person's photos and the tag prompts,
 * print the figures, and keep it only within the fidelity bound.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { resolveAppConfig, type AppFlags } from '../../engine/app/config.ts';
import { INT8_KERNELS, type Int8Kernel } from '../../engine/ml/quantize/quantize-graph.ts';
import { FIDELITY_BOUND, type FidelityReport } from '../../engine/models/quantize-fidelity.ts';
import { quantizeAndCheck, QuantizeRefusedError, type QuantizeOutcome } from '../../engine/models/quantize-install.ts';
import { folderCheckPhotos, libraryCheckPhotos } from '../../engine/models/quantize-samples.ts';
import { allTagPrompts, spreadSample } from '../../engine/tags/all-prompts.ts';
import { t } from '../i18n.ts';

interface QuantizeOpts {
  check?: string;
  photos: string;
  prompts: string;
  minCos: string;
  minCosAny: string;
  kernel: string;
  quantizeProjection?: boolean;
  variableLength: boolean;
  id?: string;
  replace?: boolean;
  json?: boolean;
}

const positive = (v: string, name: string): number => {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`${name} must be a positive number, got ${v}`);
  return n;
};

function printReport(o: Pick<QuantizeOutcome, 'quantize' | 'fidelity' | 'bound'>, checkedOn: string, passed: boolean): void {
  const { quantize: q, fidelity: f, bound } = o;
  const w = (s: string): void => void process.stdout.write(`${s}\n`);
  const kept = [...q.image.keptFloat, ...q.text.keptFloat].map((k) => k.weight ?? k.node);
  w(`int8 weight products: ${q.image.quantized.length} image, ${q.text.quantized.length} text (${q.image.kernel}); kept float: ${kept.join(', ') || 'none'}`);
  const vl = q.variableLength;
  if (vl && 'rows' in vl) {
    w(`text graph: ${vl.passed ? 'variable length' : 'fixed length'} (parity on ${vl.rows} texts, lengths ${vl.lengths[0]}–${vl.lengths.at(-1)}, max |Δ| ${vl.maxAbsDiff.toExponential(1)})`);
  } else if (vl) w(`text graph: fixed length (${vl.error})`);
  else if (q.manifest.text.variableLength) w('text graph: variable length (already proven for the source model)');
  const line = (name: string, s: FidelityReport['images'], speed: number, ms: { fp32: number; int8: number }): string =>
    `  ${name}  cosine mean ${s.meanCosine.toFixed(4)}  min ${s.minCosine.toFixed(4)}  (${s.count})   speed ×${speed.toFixed(2)} (${ms.fp32.toFixed(0)} → ${ms.int8.toFixed(0)} ms)`;
  w(`fidelity to fp32 on ${checkedOn}:`);
  w(line('image', f.images, f.speedup.image, f.ms.image));
  w(line('text ', f.texts, f.speedup.text, f.ms.text));
  w(`  top-10 kept: text → photos ${(100 * f.top10Overlap.textToImage).toFixed(0)}%, photo → prompts ${(100 * f.top10Overlap.imageToText).toFixed(0)}%`);
  if (f.unreadable.length) w(`  (${f.unreadable.length} photos could not be read and were left out)`);
  w(`  bound: mean ≥ ${bound.meanCosine}, min ≥ ${bound.minCosine} — ${passed ? 'passed' : 'NOT met'}`);
}

export function registerModelsQuantize(models: Command, paths: { modelsDir: () => string }): void {
  models
    .command('quantize <src> [out]')
    .description(t('models.quantize.description'))
    .option('--check <folder>', 'photos to check fidelity on (default: a sample of the library)')
    .option('--photos <n>', 'how many photos to check', '48')
    .option('--prompts <n>', 'how many tag prompts to check', '256')
    .option('--min-cos <x>', 'refuse below this mean cosine to fp32 (each tower)', String(FIDELITY_BOUND.meanCosine))
    .option('--min-cos-any <x>', 'refuse when any single vector is below this cosine', String(FIDELITY_BOUND.minCosine))
    .option('--kernel <k>', `int8 kernel: ${INT8_KERNELS.join(' | ')}`, 'DynamicQuantizeMatMul')
    .option('--quantize-projection', 'quantize the final projections too (default: kept float)')
    .option('--no-variable-length', 'keep the text graph fixed-length')
    .option('--id <id>', 'id of the new model (default <source id>-int8)')
    .option('--replace', 'replace an installed model with the same id')
    .option('--json', 'machine-readable result')
    .action(async (src: string, out: string | undefined, opts: QuantizeOpts, cmd: Command) => {
      try {
        const config = resolveAppConfig(cmd.optsWithGlobals() as AppFlags);
        if (!(INT8_KERNELS as readonly string[]).includes(opts.kernel)) throw new Error(`--kernel must be one of ${INT8_KERNELS.join(', ')}`);
        const installed = path.join(paths.modelsDir(), src);
        const sourceDir = out ? path.resolve(src) : installed;
        if (!out && !fs.existsSync(path.join(installed, 'manifest.json'))) {
          throw new Error(fs.existsSync(src) ? `${src} is a directory: give an output directory too (models quantize SRC OUT)` : `${src} is not an installed model (see models list)`);
        }
        const nPhotos = positive(opts.photos, '--photos');
        for (const [flag, v] of [['--min-cos', opts.minCos], ['--min-cos-any', opts.minCosAny]] as const) {
          if (!(Number(v) > 0 && Number(v) <= 1)) throw new Error(`${flag} must be a cosine in (0, 1], got ${v}`);
        }
        const photos = opts.check ? folderCheckPhotos(opts.check, nPhotos) : libraryCheckPhotos(config.dbPath, nPhotos);
        const checkedOn = opts.check ? `${photos.length} photos from ${opts.check}` : `${photos.length} library photos`;
        if (photos.length === 0) throw new Error(opts.check ? `--check ${opts.check}: no photos found` : 'the library has no indexed photos to check on yet: index some first, or pass --check FOLDER');
        const prompts = spreadSample(allTagPrompts(), positive(opts.prompts, '--prompts'));
        const progress = (p: { message?: string; phase?: string; done?: number; total?: number }): void => {
          if (opts.json) return;
          process.stderr.write(p.message ? `${p.message}\n` : `checking ${p.phase}: ${p.done}/${p.total}\r${p.done === p.total ? '\n' : ''}`);
        };
        const outcome = await quantizeAndCheck({
          sourceDir,
          ...(out ? { outDir: out } : { modelsDir: paths.modelsDir() }),
          photos,
          prompts,
          checkedOn,
          bound: { meanCosine: Number(opts.minCos), minCosine: Number(opts.minCosAny) },
          session: config.sessionOverrides,
          kernel: opts.kernel as Int8Kernel,
          keepProjection: !opts.quantizeProjection,
          variableLength: opts.variableLength,
          id: opts.id,
          replace: opts.replace,
          onProgress: progress,
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ok: true, id: outcome.manifest.id, dir: outcome.dir, fidelity: outcome.fidelity, variableLength: outcome.quantize.variableLength, keptFloat: outcome.manifest.quantization?.keptFloat }, null, 2)}\n`);
          return;
        }
        printReport(outcome, checkedOn, true);
        process.stdout.write(out ? `wrote ${outcome.manifest.id} to ${outcome.dir}\nuse it with --model ${outcome.dir}, or install it with: models import ${outcome.dir}\n` : `installed ${outcome.manifest.id} in ${outcome.dir}\nmake it active with: models use ${outcome.manifest.id}\n`);
      } catch (err) {
        if (err instanceof QuantizeRefusedError) {
          if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, error: err.code, message: err.message, fidelity: err.fidelity }, null, 2)}\n`);
          else printReport({ quantize: err.quantize, fidelity: err.fidelity, bound: { meanCosine: Number(opts.minCos), minCosine: Number(opts.minCosAny) } }, 'the check sample', false);
        }
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        if (process.env.SHIGUANG_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
        process.exitCode = 1;
      }
    });
}
