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
import { resolveModelDir } from '../../engine/ml/model-dir.ts';
import type { QuantizeProgress } from '../../engine/ml/quantize/quantize-model.ts';
import type { FidelityProgress } from '../../engine/models/quantize-fidelity.ts';
import { apiError } from '../../shared/contract/errors.ts';
import { cliLanguage, t } from '../i18n.ts';
import { reasonText } from '../context.ts';

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

const positive = (v: string, flag: string): number => {
  const n = Number(v);
  if (!(n > 0)) throw new Error(t('models.quantize.error.positive', { flag, value: v }));
  return n;
};

function printReport(o: Pick<QuantizeOutcome, 'quantize' | 'fidelity' | 'bound'>, checkedOn: string, passed: boolean): void {
  const { quantize: q, fidelity: f, bound } = o;
  const w = (s: string): void => void process.stdout.write(`${s}\n`);
  const kept = [...q.image.keptFloat, ...q.text.keptFloat].map((k) => k.weight ?? k.node);
  w(t('models.quantize.report.products', { image: q.image.quantized.length, text: q.text.quantized.length, kernel: q.image.kernel, kept: kept.join(', ') || t('models.quantize.report.none') }));
  if (q.image.fusedAttention.length || q.image.patchEmbedding.length) {
    const patch = t(q.image.patchEmbedding.length ? 'models.quantize.report.patchInt8' : 'models.quantize.report.patchFloat');
    w(t('models.quantize.report.imageGraph', { blocks: q.image.fusedAttention.length, patch }));
  }
  const vl = q.variableLength;
  if (vl && 'rows' in vl) {
    const facts = { rows: vl.rows, from: vl.lengths[0] ?? '', to: vl.lengths.at(-1) ?? '', diff: vl.maxAbsDiff.toExponential(1) };
    w(t(vl.passed ? 'models.quantize.report.textVariable' : 'models.quantize.report.textFixedParity', facts));
  } else if (vl) w(t('models.quantize.report.textFixed', { error: vl.error }));
  else if (q.manifest.text.variableLength) w(t('models.quantize.report.textProven'));
  const line = (name: string, s: FidelityReport['images'], speed: number, ms: { fp32: number; int8: number }): string =>
    t('models.quantize.report.line', { name, mean: s.meanCosine.toFixed(4), min: s.minCosine.toFixed(4), count: s.count, speed: speed.toFixed(2), fp32: ms.fp32.toFixed(0), int8: ms.int8.toFixed(0) });
  w(t('models.quantize.report.fidelity', { checkedOn }));
  w(line(t('models.quantize.report.image'), f.images, f.speedup.image, f.ms.image));
  w(line(t('models.quantize.report.text'), f.texts, f.speedup.text, f.ms.text));
  w(t('models.quantize.report.top10', { textToImage: (100 * f.top10Overlap.textToImage).toFixed(0), imageToText: (100 * f.top10Overlap.imageToText).toFixed(0) }));
  if (f.unreadable.length) w(t('models.quantize.report.unreadable', { n: f.unreadable.length }));
  w(t('models.quantize.report.bound', { mean: bound.meanCosine, min: bound.minCosine, verdict: t(passed ? 'models.quantize.report.passed' : 'models.quantize.report.failed') }));
}

/** Progress as the engine reports it (a stage, or photos and prompts checked), in the CLI's language. */
function progressLine(p: QuantizeProgress | FidelityProgress): string {
  if ('stage' in p) return `${t(`models.quantize.stage.${p.stage}`)}\n`;
  const phase = t(p.phase === 'images' ? 'models.quantize.phase.images' : 'models.quantize.phase.texts');
  return `${t('models.quantize.checking', { phase, done: p.done, total: p.total })}\r${p.done === p.total ? '\n' : ''}`;
}

/** Only an fp32 model can be quantized: said before any work, as the app says it. */
function requireFp32(sourceDir: string, src: string): void {
  const { manifest } = resolveModelDir(sourceDir);
  if (manifest.precision !== 'fp32') {
    throw apiError('quantize-not-fp32', { model: manifest.id || src, precision: manifest.precision }, `${manifest.id} is ${manifest.precision}: only an fp32 model can be quantized`);
  }
}

/** A refusal of the fidelity check in the CLI's language (the figures are in the report above it); others by their reason, else as they are. */
function errorText(err: unknown): string {
  if (err instanceof QuantizeRefusedError && cliLanguage() !== 'en') return t('models.quantize.error.refused', { source: err.quantize.manifest.quantization?.sourceId ?? '' });
  return reasonText(err) ?? (err instanceof Error ? err.message : String(err));
}

export function registerModelsQuantize(models: Command, paths: { modelsDir: () => string }): void {
  models
    .command('quantize <src> [out]')
    .description(t('models.quantize.description'))
    .option('--check <folder>', t('models.quantize.opt.check'))
    .option('--photos <n>', t('models.quantize.opt.photos'), '48')
    .option('--prompts <n>', t('models.quantize.opt.prompts'), '256')
    .option('--min-cos <x>', t('models.quantize.opt.minCos'), String(FIDELITY_BOUND.meanCosine))
    .option('--min-cos-any <x>', t('models.quantize.opt.minCosAny'), String(FIDELITY_BOUND.minCosine))
    .option('--kernel <k>', t('models.quantize.opt.kernel', { kernels: INT8_KERNELS.join(' | ') }), 'DynamicQuantizeMatMul')
    .option('--quantize-projection', t('models.quantize.opt.quantizeProjection'))
    .option('--no-variable-length', t('models.quantize.opt.noVariableLength'))
    .option('--id <id>', t('models.quantize.opt.id'))
    .option('--replace', t('models.import.opt.replace'))
    .option('--json', t('opt.json'))
    .action(async (src: string, out: string | undefined, opts: QuantizeOpts, cmd: Command) => {
      try {
        const config = resolveAppConfig(cmd.optsWithGlobals() as AppFlags);
        if (!(INT8_KERNELS as readonly string[]).includes(opts.kernel)) throw new Error(t('models.quantize.error.kernel', { choices: INT8_KERNELS.join(', ') }));
        const installed = path.join(paths.modelsDir(), src);
        const sourceDir = out ? path.resolve(src) : installed;
        if (!out && !fs.existsSync(path.join(installed, 'manifest.json'))) {
          throw new Error(t(fs.existsSync(src) ? 'models.quantize.error.isDir' : 'models.quantize.error.notInstalled', { src }));
        }
        requireFp32(sourceDir, src);
        const nPhotos = positive(opts.photos, '--photos');
        for (const [flag, v] of [['--min-cos', opts.minCos], ['--min-cos-any', opts.minCosAny]] as const) {
          if (!(Number(v) > 0 && Number(v) <= 1)) throw new Error(t('models.quantize.error.cosine', { flag, value: v }));
        }
        const photos = opts.check ? folderCheckPhotos(opts.check, nPhotos) : libraryCheckPhotos(config.dbPath, nPhotos);
        // The English account goes into the new model's manifest; the person reads it in their language.
        const checkedOn = opts.check ? `${photos.length} photos from ${opts.check}` : `${photos.length} library photos`;
        const checkedOnShown = opts.check ? t('models.quantize.checkedOn.folder', { n: photos.length, folder: opts.check }) : t('models.quantize.checkedOn.library', { n: photos.length });
        if (photos.length === 0) throw new Error(opts.check ? t('models.quantize.error.noCheckPhotos', { folder: opts.check }) : t('models.quantize.error.noLibraryPhotos'));
        const prompts = spreadSample(allTagPrompts(), positive(opts.prompts, '--prompts'));
        const progress = (p: QuantizeProgress | FidelityProgress): void => {
          if (!opts.json) process.stderr.write(progressLine(p));
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
        printReport(outcome, checkedOnShown, true);
        process.stdout.write(`${t(out ? 'models.quantize.done.out' : 'models.quantize.done.installed', { id: outcome.manifest.id, dir: outcome.dir })}\n`);
      } catch (err) {
        if (err instanceof QuantizeRefusedError) {
          if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, error: err.code, message: err.message, fidelity: err.fidelity }, null, 2)}\n`);
          else printReport({ quantize: err.quantize, fidelity: err.fidelity, bound: { meanCosine: Number(opts.minCos), minCosine: Number(opts.minCosAny) } }, t('models.quantize.checkedOn.sample'), false);
        }
        process.stderr.write(`${t('error.prefix')}${errorText(err)}\n`);
        if (process.env.SHIGUANG_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
        process.exitCode = 1;
      }
    });
}
