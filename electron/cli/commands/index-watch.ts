import type { Command } from 'commander';
import { action, appConfig, printJson, withEngine } from '../context.ts';
import { followProgress, followTagPrompts } from '../progress-bar.ts';
import type { IndexSummary } from '../../engine/index/indexer.ts';
import type { Engine } from '../../engine/engine.ts';
import { ShiguangApp } from '../../engine/app/app.ts';

function printSummary(s: IndexSummary, counts: { indexed: number; pending: number; skipped: number }): void {
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

export function registerIndexCommands(program: Command): void {
  program
    .command('index')
    .description('index photo folders once (adds them to the library), with progress and a summary')
    .argument('<folders...>', 'folders to index')
    .option('--tags', 'also prepare the zero-shot tags (the first time for a model this encodes the tag prompts) and tag every photo')
    .option('--json', 'print the summary as JSON on stdout')
    .action(
      action(async (folders: string[], opts: { json?: boolean; tags?: boolean }, cmd: Command) => {
        await withEngine(cmd, {}, async (engine) => {
          const stop = followProgress(() => engine.indexer.snapshot());
          const summary = await engine.indexFolders(folders).finally(stop);
          const counts = engine.library.counts();
          if (opts.json) printJson({ ...summary, library: counts });
          else printSummary(summary, counts);
          if (opts.tags) await prepareTags(engine);
          else if (!engine.tags.isReady() && counts.indexed > 0) {
            process.stderr.write('tags: not prepared for this model yet — `index --tags` (or `watch`, or the app) prepares them.\n');
          }
        });
      }),
    );

  program
    .command('watch')
    .description('index folders, then keep following changes (add, change, rename, delete) until Ctrl-C; prepares tags when idle')
    .argument('[folders...]', 'folders to watch (default: every folder already in the library)')
    .action(
      action(async (folders: string[], _opts: unknown, cmd: Command) => {
        const app = await ShiguangApp.open({ config: appConfig(cmd), engine: { tagPrompts: 'background' } });
        const engine = app.requireEngine();
        let stopping = false;
        const shutdown = async (): Promise<void> => {
          if (stopping) return;
          stopping = true;
          process.stderr.write('\nstopping… (pending photos will be indexed next time)\n');
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
        process.stderr.write(`watching ${engine.library.folders().map((f) => f.path).join(', ')} — Ctrl-C to stop\n`);
        // Keep the process alive; chokidar's handles do, but be explicit.
        await new Promise<never>(() => undefined);
      }),
    );
}
