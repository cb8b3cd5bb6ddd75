import type { Command } from 'commander';
import { action, appConfig, printJson, withEngine } from '../context.ts';
import { followOcr, followProgress, followTagPrompts } from '../progress-bar.ts';
import type { IndexSummary } from '../../engine/index/indexer.ts';
import type { Engine } from '../../engine/engine.ts';
import { ShiguangApp } from '../../engine/app/app.ts';
import { t } from '../i18n.ts';

function printSummary(s: IndexSummary, counts: { indexed: number; pending: number; skipped: number }): void {
  const { scanned, added, changed, moved, copied, removed, encoded, skipped } = s;
  const summary = t('index.summary', { seconds: s.seconds.toFixed(1), scanned, added, changed, moved, copied, removed, encoded, skipped, indexed: counts.indexed, pending: counts.pending, libSkipped: counts.skipped });
  process.stderr.write(`${summary}\n`);
}

/** Encode the tag prompts (first time for a model) with a progress line, then tag the library. */
async function prepareTags(engine: Engine): Promise<void> {
  const bar = followTagPrompts();
  const t0 = Date.now();
  const r = await engine.prepareTags(bar.update).finally(bar.stop);
  process.stderr.write(`${t('tags.prepared', { photos: r.photos, assigned: r.assigned, seconds: ((Date.now() - t0) / 1000).toFixed(1) })}\n`);
}

/** Read the text of every photo not read yet (those just indexed among them), with its own bar. */
async function readText(engine: Engine): Promise<{ read: number; withText: number; failed: number } | null> {
  if (!engine.ocr.enabled) {
    process.stderr.write(`${t('ocr.off')}\n`);
    return null;
  }
  const before = engine.ocr.status();
  if (before.error && before.model === 'unavailable') {
    process.stderr.write(`${t('ocr.unavailable', { error: before.error })}\n`);
    return null;
  }
  if (before.pending === 0) return { read: 0, withText: 0, failed: 0 };
  const bar = followOcr();
  const t0 = Date.now();
  const s = await engine.ocr.runPending(bar.update).finally(bar.stop);
  process.stderr.write(`${t('ocr.done', { done: s.done, seconds: ((Date.now() - t0) / 1000).toFixed(1), withText: s.withText, failed: s.failed })}\n`);
  return { read: s.done, withText: s.withText, failed: s.failed };
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
          const summary = await engine.indexFolders(folders).finally(stop);
          const counts = engine.library.counts();
          if (!opts.json) printSummary(summary, counts);
          const ocr = opts.ocr ? await readText(engine) : null;
          if (opts.json) printJson({ ...summary, library: counts, ocr });
          if (opts.tags) await prepareTags(engine);
          else if (!engine.tags.isReady() && counts.indexed > 0) {
            process.stderr.write(`${t('tags.notPrepared')}\n`);
          }
        });
      }),
    );

  program
    .command('watch')
    .description(t('watch.description'))
    .argument('[folders...]', t('watch.arg.folders'))
    .action(
      action(async (folders: string[], _opts: unknown, cmd: Command) => {
        const app = await ShiguangApp.open({ config: appConfig(cmd), engine: { tagPrompts: 'background', ocrMode: 'background' } });
        // Refuse a second watcher before spending a whole pass on indexing.
        const engine = await Promise.resolve()
          .then(() => app.requireEngine())
          .then(async (e) => (await e.claimWatch(), e))
          .catch(async (e: unknown) => {
            await app.close();
            throw e;
          });
        let stopping = false;
        const shutdown = async (): Promise<void> => {
          if (stopping) return;
          stopping = true;
          process.stderr.write(t('watch.stopping'));
          await app.close();
          process.exit(0);
        };
        process.on('SIGINT', () => void shutdown());
        process.on('SIGTERM', () => void shutdown());
        const stop = followProgress(() => engine.indexer.snapshot());
        const summary = folders.length ? await engine.indexFolders(folders) : await engine.reindexAll();
        stop();
        printSummary(summary, engine.library.counts());
        await engine.watch();
        process.stderr.write(`${t('watch.watching', { folders: engine.library.folders().map((f) => f.path).join(', ') })}\n`);
        // Keep the process alive; chokidar's handles do, but be explicit.
        await new Promise<never>(() => undefined);
      }),
    );
}
