import type { Command } from 'commander';
import { action, printJson, withEngine } from '../context.ts';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('counts of indexed / pending / skipped photos, each skipped file with its reason, model and execution provider')
    .option('--json', 'machine-readable')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          // Start the image tower so the provider actually in use (and any fallback) is reported.
          await engine.model.warm('image');
          const status = await engine.status();
          const skipped = engine.library.skipped(100_000, 0);
          const folders = engine.library.folders();
          const out = { ...status, folders, skipped, switching: engine.switching };
          if (opts.json) return printJson(out);
          const c = status.counts;
          process.stdout.write(`photos: ${c.indexed} indexed, ${c.pending} pending, ${c.skipped} skipped\n`);
          process.stdout.write(`model: ${status.model?.name} (${status.model?.id}, ${status.model?.embeddingDim}-d)\n`);
          if (engine.switching) process.stdout.write(`switching: ${engine.switching.from} → ${engine.switching.to} (queries use the old model until done)\n`);
          const p = status.provider;
          process.stdout.write(`execution provider: ${p?.name ?? 'not started'}\n`);
          for (const f of p?.fallbacks ?? []) process.stdout.write(`  not ${f.provider}: ${f.reason}\n`);
          for (const n of p?.notes ?? []) process.stdout.write(`  note: ${n}\n`);
          for (const f of folders) process.stdout.write(`folder: ${f.path} (${f.photoCount} photos)\n`);
          if (skipped.length) process.stdout.write(`skipped files:\n`);
          for (const s of skipped) process.stdout.write(`  ${s.path}: ${s.reason}\n`);
        });
      }),
    );
}
