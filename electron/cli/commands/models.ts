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
import { ModelError } from '../../engine/models/errors.ts';
import { attemptText, downloadFailureText, formatBytes, sourceName } from '../../shared/download-messages.ts';
import type { DownloadNotice } from '../../engine/models/download-notices.ts';
import { cliLanguage, t } from '../i18n.ts';
import { reasonText } from '../context.ts';
import { formatEta } from '../progress-bar.ts';
import { registerModelsQuantize } from './models-quantize.ts';

export interface ModelsCommandPaths {
  modelsDir: () => string;
  configFile: () => string;
}

/** Optional engine hooks: the lead's test-encode validation, and test seams. */
export interface ModelsCommandHooks {
  validate?: (modelDir: string) => Promise<unknown>;
  fetchImpl?: FetchLike;
  catalogue?: () => Catalogue;
}

/**
 * A model command's failure in the person's language. A refusal with a reason (a folder that is
 * not a model, a model already installed) in its catalogue's words — in English the engine's own
 * message, which names paths and causes. A failed download from its code and parameters (in
 * English the engine's account follows: every source with its URL). Anything else as it is.
 */
export function modelErrorText(err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof ModelError) {
    if (err.refusal) return reasonText(err.refusal) ?? detail;
    const english = cliLanguage() === 'en';
    if (english && err.params.host === undefined) return detail; // nothing was fetched: the engine's account is the whole story
    return downloadFailureText(cliLanguage(), err.toFailure()) + (english ? `\n${detail}` : '');
  }
  return reasonText(err) ?? detail;
}

function run<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.stderr.write(`${t('error.prefix')}${modelErrorText(err)}\n`);
      if (process.env.SHIGUANG_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 1;
    }
  };
}

/** What a running download reports, in the CLI's language. */
function noticeText(n: DownloadNotice): string {
  const lang = cliLanguage();
  switch (n.kind) {
    case 'resumed':
      return t('models.notice.resumed', { file: n.file, bytes: formatBytes(n.bytes), source: sourceName(lang, n.source) });
    case 'retrying':
      return t('models.notice.retrying', { file: n.file, why: attemptText(lang, n.code, n.params), attempt: n.attempt, of: n.of });
    case 'next-source':
      return t('models.notice.nextSource', { file: n.file, source: sourceName(lang, n.source), why: attemptText(lang, n.code, n.params), next: sourceName(lang, n.next) });
    case 'proxy':
      return t('models.notice.proxy', { via: n.via });
    case 'proxy-ignored':
      return t('models.notice.proxyIgnored');
  }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function humanBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

/** Effective download sources: --source, else SHIGUANG_MODEL_SOURCES, else config, else the built-in order for the CLI's language. */
export function sourcesFor(cli: readonly string[], configFile: string): ModelSource[] {
  return resolveSources({ cli, config: readSettings(configFile).modelSources, lang: cliLanguage() });
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

/** Columns a string takes in a terminal: CJK and full-width characters take two. */
function columns(s: string): number {
  let n = 0;
  for (const ch of s) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return n;
}

function printTable(list: ListRow[], extra: InstalledModel[]): void {
  const header = t('models.list.header').split('|');
  const body = list.map((r) => [
    r.active ? '*' : ' ',
    r.id + (r.default ? t('models.list.default') : ''),
    `${r.paramsM}M`,
    String(r.embeddingDim),
    String(r.resolution),
    t(`models.speed.${r.speed}`),
    r.zeroShot.mugeT2iR1?.toFixed(1) ?? '—',
    r.zeroShot.flickr30kCnT2iR1?.toFixed(1) ?? '—',
    r.installed ? (r.installedPrecision ?? t('models.list.yes')) : '—',
    r.downloadable.length ? t('models.list.download', { precisions: r.downloadable.join('/') }) : t('models.list.export'),
  ]);
  const widths = header.map((h, i) => Math.max(columns(h), ...body.map((b) => columns(b[i]!))));
  const line = (cells: string[]): string => cells.map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - columns(c)))).join('  ').trimEnd();
  process.stdout.write(`${line(header)}\n${body.map(line).join('\n')}\n`);
  for (const r of list.filter((x) => x.exportRoute && !x.installed)) {
    process.stdout.write(`\n${r.id}: ${r.exportRoute!.summary}\n${r.exportRoute!.steps.map((s) => `    ${s}`).join('\n')}\n`);
  }
  if (extra.length) {
    process.stdout.write(`\n${t('models.list.others')}\n`);
    for (const m of extra) process.stdout.write(`  ${m.id}  ${m.error ? t('models.list.unusable', { error: cliLanguage() === 'en' ? m.error : t('models.list.unusableWhy') }) : `${m.manifest?.embeddingDim}-d, ${humanBytes(m.bytes)}`}\n`);
  }
  process.stdout.write(`\n${t('models.list.footer')}\n`);
}

function progressReporter(): { update: (p: DownloadProgress) => void; stop: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: t('progress.download.bar'),
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
          process.stderr.write(`${t('progress.download.line', { done: payload.done, size: payload.size, speed: payload.speed, eta: payload.eta_text, file: payload.file })}\n`);
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
  const models = program.command('models').description(t('models.description'));
  registerModelsQuantize(models, paths);

  models
    .command('list')
    .description(t('models.list.description'))
    .option('--json', t('opt.json'))
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
    .description(t('models.download.description'))
    .option('--precision <p>', t('models.download.opt.precision', { choices: PRECISIONS.join(' | ') }), 'fp32')
    .option('--source <spec>', t('models.download.opt.source', { env: SOURCES_ENV }), collect, [])
    .option('--timeout <seconds>', t('models.download.opt.timeout'), '30')
    .option('--restart', t('models.download.opt.restart'))
    .action(
      run(async (id: string, opts: { precision: string; source: string[]; timeout: string; restart?: boolean }) => {
        if (!(PRECISIONS as readonly string[]).includes(opts.precision)) throw new Error(t('models.error.precision', { choices: PRECISIONS.join(', ') }));
        const timeout = Number(opts.timeout);
        if (!(timeout > 0)) throw new Error(t('models.error.timeout'));
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
            onNotice: (n) => process.stderr.write(`${noticeText(n)}\n`),
          });
          progress.stop();
          if (result.alreadyInstalled) {
            process.stdout.write(`${t('models.download.already', { id, dir: result.dir })}\n`);
          } else {
            process.stdout.write(`${t('models.download.done', { id, precision: result.precision, dir: result.dir })}\n`);
          }
        } finally {
          progress.stop();
          process.removeListener('SIGINT', onSigint);
        }
      }),
    );

  models
    .command('import <dir>')
    .description(t('models.import.description'))
    .option('--arch <arch>', t('models.import.opt.arch'))
    .option('--precision <p>', t('models.import.opt.precision'))
    .option('--link', t('models.import.opt.link'))
    .option('--replace', t('models.import.opt.replace'))
    .action(
      run(async (dir: string, opts: { arch?: string; precision?: string; link?: boolean; replace?: boolean }) => {
        if (opts.precision && opts.precision !== 'fp32' && opts.precision !== 'fp16') throw new Error(t('models.error.importPrecision'));
        const m = await importModel(dir, paths.modelsDir(), {
          arch: opts.arch,
          precision: opts.precision as 'fp32' | 'fp16' | undefined,
          link: opts.link,
          replace: opts.replace,
          validate: hooks.validate,
        });
        process.stdout.write(`${t('models.import.done', { id: m.id, precision: m.manifest?.precision ?? '?', size: humanBytes(m.bytes), dir: m.dir })}\n`);
      }),
    );

  models
    .command('remove <id>')
    .description(t('models.remove.description'))
    .action(
      run(async (id: string) => {
        await removeModel(id, paths.modelsDir(), { configFile: paths.configFile() });
        process.stdout.write(`${t('models.remove.done', { id })}\n`);
      }),
    );

  models
    .command('use <id>')
    .description(t('models.use.description'))
    .action(
      run(async (id: string) => {
        await useModel(id, { modelsDir: paths.modelsDir(), configFile: paths.configFile() });
        process.stdout.write(`${t('models.use.done', { id })}\n`);
      }),
    );

  models
    .command('sources')
    .description(t('models.sources.description', { env: SOURCES_ENV }))
    .option('--json', t('opt.json'))
    .action(
      run(async (opts: { json?: boolean }) => {
        const list = sourcesFor([], paths.configFile());
        if (opts.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else process.stdout.write(`${list.map((s, i) => `${i + 1}. ${describeSource(s)}`).join('\n')}\n`);
      }),
    );
}
