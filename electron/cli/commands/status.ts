import type { Command } from 'commander';
import { action, printJson, withEngine } from '../context.ts';

/** Why a folder is offline, in words (library/root-availability.ts). */
const offlineWords: Record<string, string> = {
  missing: 'not there: a drive or share that is away?',
  'not-a-folder': 'not a folder any more',
  unreadable: 'cannot be read',
  timeout: 'does not answer',
  'mount-changed': 'the drive it was on is not mounted there',
};

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('counts of indexed / pending / skipped photos, each skipped file with its reason, model and execution provider, text read in photos')
    .option('--json', 'machine-readable')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          // Start the image tower so the provider actually in use (and any fallback) is reported.
          await engine.model.warm('image');
          // Which folders are there right now (a drive unplugged since the last pass shows as offline).
          await engine.indexer.roots.checkAll();
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
          const o = status.ocr;
          if (o) {
            const state = o.enabled ? `${o.done} read (${o.withText} with text), ${o.pending} to read, ${o.failed} could not be read` : `off (${o.done} read before)`;
            process.stdout.write(`text in photos (OCR, ${o.model}): ${state}\n`);
            if (o.error) process.stdout.write(`  last pass stopped: ${o.error}\n`);
          }
          for (const f of folders) {
            const away = f.offline ? ` — OFFLINE since ${f.offline.since} (${offlineWords[f.offline.reason] ?? f.offline.reason}); its photos are kept` : '';
            process.stdout.write(`folder: ${f.path} (${f.photoCount} photos)${away}\n`);
          }
          if (skipped.length) process.stdout.write(`skipped files:\n`);
          for (const s of skipped) process.stdout.write(`  ${s.path}: ${s.reason}\n`);
        });
      }),
    );
}
