import type { Command } from 'commander';
import type { EngineStatus } from '../../shared/api.ts';
import { action, printJson, withEngine } from '../context.ts';

/** Why pending videos wait, when they do (no decoder on this install). */
function videoWait(status: EngineStatus): string {
  const p = status.passes.find((x) => x.name === 'videos');
  if (p?.waiting === 'unavailable') return ' (no video decoder on this install: set SHIGUANG_FFMPEG and SHIGUANG_FFPROBE, docs/decisions/video.md)';
  return p && p.pending > 0 ? ' (read by `index` or while `watch` runs; one still being copied is read once it stops changing)' : '';
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('counts of indexed / pending / skipped photos and videos, each skipped file with its reason, model and execution provider, text read in photos')
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
          const v = status.videos ?? { indexed: 0, pending: 0, skipped: 0 };
          process.stdout.write(`photos: ${c.indexed - v.indexed} indexed, ${c.pending - v.pending} pending, ${c.skipped - v.skipped} skipped\n`);
          process.stdout.write(`videos: ${v.indexed} indexed, ${v.pending} pending, ${v.skipped} skipped${videoWait(status)}\n`);
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
          for (const f of folders) process.stdout.write(`folder: ${f.path} (${f.photoCount} photos)\n`);
          if (skipped.length) process.stdout.write(`skipped files:\n`);
          for (const s of skipped) process.stdout.write(`  ${s.path}: ${s.reason}\n`);
        });
      }),
    );
}
