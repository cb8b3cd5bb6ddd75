import type { Command } from 'commander';
import { action, appConfig, printJson, withEngine } from '../context.ts';
import { discardEmptyLibrary, libraryExists } from '../../engine/store/discard.ts';
import { followOcr, followProgress, followTagPrompts } from '../progress-bar.ts';
import type { IndexSummary } from '../../engine/index/indexer.ts';
import type { Engine } from '../../engine/engine.ts';
import { ShiguangApp } from '../../engine/app/app.ts';
import { interruptedCode, stopOnSignals } from '../shutdown.ts';
import { folderCheckMs } from '../../engine/library/fs-deadline.ts';

function printSummary(s: IndexSummary & { notes?: string[] }, counts: { indexed: number; pending: number; skipped: number }): void {
  for (const n of s.notes ?? []) process.stderr.write(`note: ${n}\n`);
  for (const o of s.offline) process.stderr.write(`offline: ${o.detail}. Its photos are kept (and still found); they are checked again when it is back.\n`);
  process.stderr.write(
    `indexed in ${s.seconds.toFixed(1)} s: scanned ${s.scanned}, new ${s.added}, changed ${s.changed}, moved ${s.moved}, ` +
      `copies ${s.copied}, removed ${s.removed}; encoded ${s.encoded}, skipped ${s.skipped}. ` +
      `Library: ${counts.indexed} indexed, ${counts.pending} pending, ${counts.skipped} skipped.\n`,
  );
}

/** Encode the tag prompts (first time for a model) with a progress line, then tag the library. */
async function prepareTags(engine: Engine): Promise<void> {
  const bar = followTagPrompts();
  const t0 = Date.now();
  const r = await engine.prepareTags(bar.update).finally(bar.stop);
  process.stderr.write(`tags: ${r.photos} photos tagged (${r.assigned} tags) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

/** Read the text of every photo not read yet (those just indexed among them), with its own bar. */
async function readText(engine: Engine): Promise<{ read: number; withText: number; failed: number } | null> {
  if (!engine.ocr.enabled) {
    process.stderr.write('text (OCR): turned off in the settings; photos are searchable by what they show only.\n');
    return null;
  }
  const before = engine.ocr.status();
  if (before.error && before.model === 'unavailable') {
    process.stderr.write(`text (OCR): ${before.error}\n`);
    return null;
  }
  if (before.pending === 0) return { read: 0, withText: 0, failed: 0 };
  const bar = followOcr();
  const t0 = Date.now();
  const s = await engine.ocr.runPending(bar.update).finally(bar.stop);
  process.stderr.write(`text (OCR): read ${s.done} photos in ${((Date.now() - t0) / 1000).toFixed(1)} s, text in ${s.withText}, ${s.failed} could not be read\n`);
  return { read: s.done, withText: s.withText, failed: s.failed };
}

export function registerIndexCommands(program: Command): void {
  program
    .command('index')
    .description('index photo folders once (adds them to the library), with progress and a summary')
    .argument('<folders...>', 'folders to index')
    .option('--tags', 'also prepare the zero-shot tags (the first time for a model this encodes the tag prompts) and tag every photo')
    .option('--no-ocr', 'do not read the text in photos this time (it is read by the next index, watch or the app)')
    .option('--json', 'print the summary as JSON on stdout')
    .action(
      action(async (folders: string[], opts: { json?: boolean; tags?: boolean; ocr: boolean }, cmd: Command) => {
        const stopping = { message: 'stopping… (what is not indexed yet is indexed next time)', exitCode: interruptedCode };
        await withEngine(cmd, {}, async (engine) => {
          const stop = followProgress(() => engine.indexer.snapshot());
          // Relative folders are read from here, as a shell would (the app refuses them).
          const summary = await engine.indexFolders(folders, { cwd: process.cwd() }).finally(stop);
          const counts = engine.library.counts();
          if (!opts.json) printSummary(summary, counts);
          const ocr = opts.ocr ? await readText(engine) : null;
          if (opts.json) printJson({ ...summary, library: counts, ocr });
          if (opts.tags) await prepareTags(engine);
          else if (!engine.tags.isReady() && counts.indexed > 0) {
            process.stderr.write('tags: not prepared for this model yet — `index --tags` (or `watch`, or the app) prepares them.\n');
          }
        }, stopping);
      }),
    );

  program
    .command('watch')
    .description('index folders, then keep following changes (add, change, rename, delete) until Ctrl-C; prepares tags and reads photos\' text when idle')
    .argument('[folders...]', 'folders to watch (default: every folder already in the library)')
    .action(
      action(async (folders: string[], _opts: unknown, cmd: Command) => {
        const config = appConfig(cmd);
        const existed = libraryExists(config.dbPath);
        const app = await ShiguangApp.open({ config, engine: { tagPrompts: 'background', ocrMode: 'background' } });
        let stopping = false;
        stopOnSignals(
          async () => {
            stopping = true;
            await app.close();
          },
          { message: 'stopping… (pending photos will be indexed next time)', exitCode: 0 },
        );
        try {
          // Refuse a second watcher before spending a whole pass on indexing.
          const engine = app.requireEngine();
          await engine.claimWatch();
          const stop = followProgress(() => engine.indexer.snapshot());
          const summary = await (folders.length ? engine.indexFolders(folders, { cwd: process.cwd() }) : engine.reindexAll()).finally(stop);
          printSummary(summary, engine.library.counts());
          await engine.watch();
          const away = engine.library.offlineFolders();
          const here = engine.library.folders().filter((f) => !f.offline);
          process.stderr.write(`watching ${here.map((f) => f.path).join(', ') || 'no folder that is there'} — Ctrl-C to stop\n`);
          if (away.length) process.stderr.write(`offline (checked every ${folderCheckMs() / 1000} s, caught up when back): ${away.map((f) => f.path).join(', ')}\n`);
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
