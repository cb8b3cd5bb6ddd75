import type { Command } from 'commander';
import { action, globals, openEngine, printJson, withEngine } from '../context.ts';
import { followProgress } from '../progress-bar.ts';
import type { IndexSummary } from '../../engine/index/indexer.ts';

function printSummary(s: IndexSummary, counts: { indexed: number; pending: number; skipped: number }): void {
  process.stderr.write(
    `indexed in ${s.seconds.toFixed(1)} s: scanned ${s.scanned}, new ${s.added}, changed ${s.changed}, moved ${s.moved}, ` +
      `copies ${s.copied}, removed ${s.removed}; encoded ${s.encoded}, skipped ${s.skipped}. ` +
      `Library: ${counts.indexed} indexed, ${counts.pending} pending, ${counts.skipped} skipped.\n`,
  );
}

export function registerIndexCommands(program: Command): void {
  program
    .command('index')
    .description('index photo folders once (adds them to the library), with progress and a summary')
    .argument('<folders...>', 'folders to index')
    .option('--json', 'print the summary as JSON on stdout')
    .action(
      action(async (folders: string[], opts: { json?: boolean }, cmd: Command) => {
        await withEngine(cmd, {}, async (engine) => {
          const stop = followProgress(() => engine.indexer.snapshot());
          const summary = await engine.indexFolders(folders).finally(stop);
          const counts = engine.lib.photos.counts();
          if (opts.json) printJson({ ...summary, library: counts });
          else printSummary(summary, counts);
        });
      }),
    );

  program
    .command('watch')
    .description('index folders, then keep following changes (add, change, rename, delete) until Ctrl-C')
    .argument('[folders...]', 'folders to watch (default: every folder already in the library)')
    .action(
      action(async (folders: string[], _opts: unknown, cmd: Command) => {
        const engine = await openEngine(globals(cmd));
        // Refuse a second watcher before spending a whole pass on indexing.
        await engine.claimWatch().catch(async (e: unknown) => {
          await engine.close();
          throw e;
        });
        let stopping = false;
        const shutdown = async (): Promise<void> => {
          if (stopping) return;
          stopping = true;
          process.stderr.write('\nstopping… (pending photos will be indexed next time)\n');
          await engine.close();
          process.exit(0);
        };
        process.on('SIGINT', () => void shutdown());
        process.on('SIGTERM', () => void shutdown());
        const stop = followProgress(() => engine.indexer.snapshot());
        const summary = folders.length ? await engine.indexFolders(folders) : await engine.reindexAll();
        stop();
        printSummary(summary, engine.lib.photos.counts());
        await engine.watch();
        process.stderr.write(`watching ${engine.lib.folders.list().map((f) => f.path).join(', ')} — Ctrl-C to stop\n`);
        // Keep the process alive; chokidar's handles do, but be explicit.
        await new Promise<never>(() => undefined);
      }),
    );
}
