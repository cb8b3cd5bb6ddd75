/**
 * `models …`: see the catalogue, download a model (resumable, with fallback sources), import an
 * export made with the official script, remove one, and choose the active one.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { listCatalogue, loadCatalogue, PRECISIONS, type Catalogue, type CatalogueEntry, type Precision } from '../../engine/models/catalogue.ts';
import { readSettings } from '../../engine/settings/settings-file.ts';
import { discardPartial, downloadModel, type DownloadProgress } from '../../engine/models/download.ts';
import type { FetchLike } from '../../engine/models/fetch.ts';
import { importModel, listInstalled, removeModel, useModel, type InstalledModel } from '../../engine/models/install.ts';
import { describeSource, resolveSources, SOURCES_ENV, type ModelSource } from '../../engine/models/sources.ts';
import { formatEta } from '../progress-bar.ts';

export interface ModelsCommandPaths {
  modelsDir: () => string;
  configFile: () => string;
}

/** Optional engine hooks: the lead's test-encode validation, and test seams. */
export interface ModelsCommandHooks {
  validate?: (modelDir: string) => Promise<void>;
  fetchImpl?: FetchLike;
  catalogue?: () => Catalogue;
}

function run<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      if (process.env.SHIGUANG_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 1;
    }
  };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function humanBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

/** Effective download sources: --source, else SHIGUANG_MODEL_SOURCES, else config, else built-in order. */
export function sourcesFor(cli: readonly string[], configFile: string): ModelSource[] {
  return resolveSources({ cli, config: readSettings(configFile).modelSources });
}

interface ListRow {
  id: string;
  name: string;
  paramsM: number;
  embeddingDim: number;
  resolution: number;
  textTower: string;
  speed: CatalogueEntry['speed']['class'];
  zeroShot: CatalogueEntry['zeroShot'];
  default: boolean;
  installed: boolean;
  installedPrecision?: string;
  active: boolean;
  downloadable: Precision[];
  exportRoute?: CatalogueEntry['exportRoute'];
  dir?: string;
}

function rows(entries: CatalogueEntry[], installed: InstalledModel[], active: string | undefined): ListRow[] {
  return entries.map((e) => {
    const inst = installed.find((i) => i.id === e.id && !i.error);
    const downloadable = e.downloads.map((d) => d.precision);
    return {
      id: e.id,
      name: e.name,
      paramsM: e.params.totalM,
      embeddingDim: e.embeddingDim,
      resolution: e.resolution,
      textTower: e.textTower,
      speed: e.speed.class,
      zeroShot: e.zeroShot,
      default: e.isDefault,
      installed: Boolean(inst),
      installedPrecision: inst?.manifest?.precision,
      active: active === e.id,
      downloadable,
      exportRoute: downloadable.length ? undefined : e.exportRoute,
      dir: inst?.dir,
    };
  });
}

function printTable(list: ListRow[], extra: InstalledModel[]): void {
  const header = ['', 'ID', 'PARAMS', 'DIM', 'RES', 'SPEED', 'MUGE R@1', 'FLICKR R@1', 'INSTALLED', 'GET'];
  const body = list.map((r) => [
    r.active ? '*' : ' ',
    r.id + (r.default ? ' (default)' : ''),
    `${r.paramsM}M`,
    String(r.embeddingDim),
    String(r.resolution),
    r.speed,
    r.zeroShot.mugeT2iR1?.toFixed(1) ?? '—',
    r.zeroShot.flickr30kCnT2iR1?.toFixed(1) ?? '—',
    r.installed ? (r.installedPrecision ?? 'yes') : '—',
    r.downloadable.length ? `download ${r.downloadable.join('/')}` : 'export + import',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write(`${line(header)}\n${body.map(line).join('\n')}\n`);
  for (const r of list.filter((x) => x.exportRoute && !x.installed)) {
    process.stdout.write(`\n${r.id}: ${r.exportRoute!.summary}\n${r.exportRoute!.steps.map((s) => `    ${s}`).join('\n')}\n`);
  }
  if (extra.length) {
    process.stdout.write(`\nOther installed models:\n`);
    for (const m of extra) process.stdout.write(`  ${m.id}  ${m.error ? `unusable: ${m.error}` : `${m.manifest?.embeddingDim}-d, ${humanBytes(m.bytes)}`}\n`);
  }
  process.stdout.write('\n* = active. Zero-shot retrieval R@1 from the Chinese-CLIP paper (Results.md); speed = ONNX fp16 on a T4 GPU.\n');
}

function progressReporter(): { update: (p: DownloadProgress) => void; stop: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% | {done}/{size} | {speed}/s | ETA {eta_text} | {file}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let lastLine = 0;
  return {
    update(p) {
      const payload = {
        done: humanBytes(p.bytes),
        size: humanBytes(p.total),
        speed: humanBytes(Math.round(p.rate)),
        eta_text: p.etaSeconds === null ? '—' : formatEta(Math.round(p.etaSeconds)),
        file: `${p.file} (${p.fileIndex + 1}/${p.fileCount}, ${p.source})`,
      };
      if (!tty) {
        if (Date.now() - lastLine > 5000) {
          lastLine = Date.now();
          process.stderr.write(`download: ${payload.done}/${payload.size}, ${payload.speed}/s, ETA ${payload.eta_text}, ${payload.file}\n`);
        }
        return;
      }
      if (!started) {
        bar.start(Math.max(p.total, 1), p.bytes, payload);
        started = true;
      }
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.bytes, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function registerModelsCommands(program: Command, paths: ModelsCommandPaths, hooks: ModelsCommandHooks = {}): void {
  const catalogue = (): Catalogue => (hooks.catalogue ? hooks.catalogue() : loadCatalogue());
  const models = program.command('models').description('list, download, import, remove and choose Chinese-CLIP models');

  models
    .command('list')
    .description('the model catalogue with install state; sizes without hosted ONNX show the export route')
    .option('--json', 'machine-readable output')
    .action(
      run(async (opts: { json?: boolean }) => {
        const cat = catalogue();
        const installed = listInstalled(paths.modelsDir());
        const active = readSettings(paths.configFile()).activeModel;
        const list = rows(listCatalogue(cat), installed, active);
        const extra = installed.filter((i) => !cat.models.some((m) => m.id === i.id));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ models: list, otherInstalled: extra.map(({ id, dir, error, bytes }) => ({ id, dir, error, bytes })) }, null, 2)}\n`);
          return;
        }
        printTable(list, extra);
      }),
    );

  models
    .command('download <id>')
    .description('download a model (resumes an interrupted download; tries sources in order)')
    .option('--precision <p>', `${PRECISIONS.join(' | ')} (fp32 suits CPUs; fp16 is for GPUs)`, 'fp32')
    .option('--source <spec>', `source to try, repeatable: huggingface, hf-mirror, modelscope, hf:URL, modelscope:URL or a plain URL (default: ${SOURCES_ENV}, config, then huggingface,hf-mirror,modelscope)`, collect, [])
    .option('--timeout <seconds>', 'give up on a source that sends nothing for this long', '30')
    .option('--restart', 'discard partial data from an earlier attempt')
    .action(
      run(async (id: string, opts: { precision: string; source: string[]; timeout: string; restart?: boolean }) => {
        if (!(PRECISIONS as readonly string[]).includes(opts.precision)) throw new Error(`--precision must be one of ${PRECISIONS.join(', ')}`);
        const timeout = Number(opts.timeout);
        if (!(timeout > 0)) throw new Error('--timeout must be a positive number of seconds');
        const sources = sourcesFor(opts.source, paths.configFile());
        if (opts.restart) discardPartial(paths.modelsDir(), id, opts.precision);
        const controller = new AbortController();
        const onSigint = (): void => controller.abort();
        process.once('SIGINT', onSigint);
        const progress = progressReporter();
        try {
          const result = await downloadModel({
            id,
            precision: opts.precision as Precision,
            sources,
            modelsDir: paths.modelsDir(),
            catalogue: catalogue(),
            signal: controller.signal,
            idleTimeoutMs: timeout * 1000,
            fetchImpl: hooks.fetchImpl,
            validate: hooks.validate,
            onProgress: (p) => progress.update(p),
            log: (line) => process.stderr.write(`${line}\n`),
          });
          progress.stop();
          if (result.alreadyInstalled) {
            process.stdout.write(`${id} is already installed in ${result.dir}\n`);
          } else {
            process.stdout.write(`installed ${id} (${result.precision}) in ${result.dir}\nmake it active with: models use ${id}\n`);
          }
        } finally {
          progress.stop();
          process.removeListener('SIGINT', onSigint);
        }
      }),
    );

  models
    .command('import <dir>')
    .description('install a local export: a directory with manifest.json, or the output of cn_clip/deploy/pytorch_to_onnx.py')
    .option('--arch <arch>', 'which size to take when the directory holds several (e.g. vit-b-16)')
    .option('--precision <p>', 'fp32 | fp16, when both are present (default fp32)')
    .option('--link', 'hard-link instead of copying (same disk only)')
    .option('--replace', 'replace an installed model with the same id')
    .action(
      run(async (dir: string, opts: { arch?: string; precision?: string; link?: boolean; replace?: boolean }) => {
        if (opts.precision && opts.precision !== 'fp32' && opts.precision !== 'fp16') throw new Error('--precision must be fp32 or fp16');
        const m = await importModel(dir, paths.modelsDir(), {
          arch: opts.arch,
          precision: opts.precision as 'fp32' | 'fp16' | undefined,
          link: opts.link,
          replace: opts.replace,
          validate: hooks.validate,
        });
        process.stdout.write(`installed ${m.id} (${m.manifest?.precision}, ${humanBytes(m.bytes)}) in ${m.dir}\nmake it active with: models use ${m.id}\n`);
      }),
    );

  models
    .command('remove <id>')
    .description('delete an installed model')
    .action(
      run(async (id: string) => {
        await removeModel(id, paths.modelsDir(), { configFile: paths.configFile() });
        process.stdout.write(`removed ${id}\n`);
      }),
    );

  models
    .command('use <id>')
    .description('make an installed model the active one (vectors are kept per model)')
    .action(
      run(async (id: string) => {
        await useModel(id, { modelsDir: paths.modelsDir(), configFile: paths.configFile() });
        process.stdout.write(`active model: ${id}\n`);
      }),
    );

  models
    .command('sources')
    .description(`the download sources in the order they are tried (--source, ${SOURCES_ENV}, config modelSources, built-in)`)
    .option('--json', 'machine-readable output')
    .action(
      run(async (opts: { json?: boolean }) => {
        const list = sourcesFor([], paths.configFile());
        if (opts.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else process.stdout.write(`${list.map((s, i) => `${i + 1}. ${describeSource(s)}`).join('\n')}\n`);
      }),
    );
}
