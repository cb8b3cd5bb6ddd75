import type { Command } from 'commander';
import { action, appConfig, printJson, withEngine } from '../context.ts';
import { followPasses, followProgress } from '../progress-bar.ts';
import type { IndexSummary } from '../../engine/index/indexer.ts';
import type { Engine } from '../../engine/engine.ts';
import { ShiguangApp } from '../../engine/app/app.ts';
import { t } from '../i18n.ts';
import { watchEventLine } from '../watch-events.ts';
import { discardEmptyLibrary, libraryExists } from '../../engine/store/discard.ts';
import { folderCheckMs } from '../../engine/library/fs-deadline.ts';
import { interruptedCode, stopOnSignals } from '../shutdown.ts';

function printSummary(s: IndexSummary & { notes?: string[] }, counts: { indexed: number; pending: number; skipped: number }): void {
  for (const note of s.notes ?? []) process.stderr.write(`${t('index.note', { note })}\n`);
  for (const o of s.offline) process.stderr.write(`${t('index.offline', { path: o.path, why: t(`status.offline.${o.reason}`), detail: o.detail })}\n`);
  const { scanned, added, changed, moved, copied, removed, encoded, skipped } = s;
  const summary = t('index.summary', { seconds: s.seconds.toFixed(1), scanned, added, changed, moved, copied, removed, encoded, skipped, indexed: counts.indexed, pending: counts.pending, libSkipped: counts.skipped });
  process.stderr.write(`${summary}\n`);
  if (s.reused > 0) process.stderr.write(`${t('index.reused', { reused: s.reused })}\n`);
  if (s.skipped > 0) process.stderr.write(`${t('index.skippedHint', { skipped: s.skipped })}\n`);
}

/**
 * The per-photo passes (tags, text in photos, …) on demand, each with its own bar, before the
 * command exits. `ocr: false` leaves the text for later; `tags: true` prepares the tag prompts
 * (the first time for a model: thousands of prompts, minutes) — otherwise tags are applied only if
 * they are ready. Returns what the OCR pass read in this run (null when it did not run).
 */
async function runPasses(engine: Engine, opts: { tags: boolean; ocr: boolean }): Promise<{ read: number; withText: number; failed: number } | null> {
  const ocrOn = opts.ocr && engine.ocr.enabled;
  const before = await engine.status();
  if (opts.ocr && !engine.ocr.enabled) process.stderr.write(`${t('ocr.off')}\n`);
  else if (opts.ocr && before.ocr?.model === 'unavailable') process.stderr.write(`${t('ocr.unavailable', { error: before.ocr.error ?? '' })}\n`);
  const t0 = Date.now();
  const bars = followPasses();
  try {
    await engine.passes.runAll({
      only: engine.passes.passes.map((p) => p.name).filter((n) => n !== 'ocr' || ocrOn),
      prepare: opts.tags ? ['tags'] : [],
      onProgress: bars.update,
    });
  } finally {
    bars.stop();
  }
  const after = await engine.status();
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const v = after.videos;
  if (v && v.indexed + v.pending + v.skipped > 0) {
    const waiting = v.pending > 0 ? t('index.videos.pending', { n: v.pending }) : '';
    process.stderr.write(`${t('index.videos', { indexed: v.indexed, skipped: v.skipped, waiting })}\n`);
  }
  const tagged = (after.passes.find((p) => p.name === 'tags')?.done ?? 0) - (before.passes.find((p) => p.name === 'tags')?.done ?? 0);
  if (tagged > 0 || opts.tags) process.stderr.write(`${t('tags.tagged', { photos: tagged })}\n`);
  else if (!engine.tags.isReady() && after.counts.indexed > 0) {
    process.stderr.write(`${t('tags.notPrepared')}\n`);
  }
  if (!ocrOn || !before.ocr || !after.ocr || before.ocr.model === 'unavailable') return null;
  const read = after.ocr.done + after.ocr.failed - (before.ocr.done + before.ocr.failed);
  const r = { read, withText: after.ocr.withText - before.ocr.withText, failed: after.ocr.failed - before.ocr.failed };
  if (read > 0) process.stderr.write(`${t('ocr.done', { done: r.read, seconds, withText: r.withText, failed: r.failed })}\n`);
  return r;
}

export function registerIndexCommands(program: Command): void {
  program
    .command('index')
    .description(t('index.description'))
    .argument('<folders...>', t('index.arg.folders'))
    .option('--tags', t('index.opt.tags'))
    .option('--no-ocr', t('index.opt.noOcr'))
    .option('--json', t('index.opt.json'))
    .action(
      action(async (folders: string[], opts: { json?: boolean; tags?: boolean; ocr: boolean }, cmd: Command) => {
        await withEngine(cmd, {}, async (engine) => {
          const stop = followProgress(() => engine.indexer.snapshot());
          // Relative folders are read from here, as a shell would (the app refuses them).
          const summary = await engine.folders.indexFolders(folders, { cwd: process.cwd() }).finally(stop);
          const counts = engine.library.counts();
          if (!opts.json) printSummary(summary, counts);
          const ocr = await runPasses(engine, { tags: opts.tags === true, ocr: opts.ocr });
          // After the passes: videos are read there.
          if (opts.json) printJson({ ...summary, library: engine.library.counts(), videos: engine.library.videoCounts(), ocr });
        }, { message: t('index.stopping'), exitCode: interruptedCode });
      }),
    );

  program
    .command('watch')
    .description(t('watch.description'))
    .argument('[folders...]', t('watch.arg.folders'))
    .action(
      action(async (folders: string[], _opts: unknown, cmd: Command) => {
        const config = appConfig(cmd);
        const existed = libraryExists(config.dbPath);
        const app = await ShiguangApp.open({
          config,
          engine: {
            passes: 'background',
            onEvent: (e) => {
              const line = watchEventLine(e);
              if (line) process.stderr.write(`${line}\n`);
            },
          },
        });
        let stopping = false;
        stopOnSignals(
          async () => {
            stopping = true;
            await app.close();
          },
          { message: t('watch.stopping').trim(), exitCode: 0 },
        );
        try {
          // Refuse a second watcher before spending a whole pass on indexing.
          const engine = app.requireEngine();
          await engine.claimWatch();
          const stop = followProgress(() => engine.indexer.snapshot());
          const summary = await (folders.length ? engine.folders.indexFolders(folders, { cwd: process.cwd() }) : engine.reindexAll()).finally(stop);
          // Stopped during the first pass: it ended early; nothing more is started.
          if (stopping) return new Promise<never>(() => undefined);
          printSummary(summary, engine.library.counts());
          await engine.watch();
          const here = engine.library.folders().filter((f) => !f.offline);
          process.stderr.write(`${t('watch.watching', { folders: here.map((f) => f.path).join(', ') })}\n`);
          const away = engine.library.offlineFolders();
          if (away.length) process.stderr.write(`${t('watch.offline', { seconds: folderCheckMs() / 1000, folders: away.map((f) => f.path).join(', ') })}\n`);
        } catch (err) {
          if (stopping) return new Promise<never>(() => undefined); // the signal handler exits
          await app.close();
          if (!existed) discardEmptyLibrary(config.dbPath);
          throw err;
        }
        // Keep the process alive; chokidar's handles do, but be explicit.
        await new Promise<never>(() => undefined);
      }),
    );
}
