import type { Command } from 'commander';
import type { EngineStatus } from '../../shared/api.ts';
import { action, printJson, withEngine } from '../context.ts';
import { cliLanguage, t } from '../i18n.ts';
import { skipMessages, skipReasonKey } from '../../shared/skip-reasons.ts';
import type { CliMessageKey } from '../messages.ts';

/** Why pending videos wait, when they do (no decoder on this install). */
function videoWait(status: EngineStatus): string {
  const p = status.passes.find((x) => x.name === 'videos');
  if (p?.waiting === 'unavailable') return t('status.videos.noDecoder');
  return p && p.pending > 0 ? t('status.videos.pending') : '';
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(t('status.description'))
    .option('--json', t('opt.json'))
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
          const w = (line: string): void => void process.stdout.write(`${line}\n`);
          const v = status.videos ?? { indexed: 0, pending: 0, skipped: 0 };
          w(t('status.photos', { indexed: c.indexed - v.indexed, pending: c.pending - v.pending, skipped: c.skipped - v.skipped }));
          w(t('status.videos', { indexed: v.indexed, pending: v.pending, skipped: v.skipped, wait: videoWait(status) }));
          w(t('status.model', { name: status.model?.name ?? '—', id: status.model?.id ?? '—', dim: status.model?.embeddingDim ?? '—' }));
          if (engine.switching) w(t('status.switching', engine.switching));
          const p = status.provider;
          w(t('status.provider', { name: p?.name ?? t('status.notStarted') }));
          // In English ONNX Runtime's own reason (with the install command); otherwise what it means, as the app says it.
          const reason = (f: { reason: string; kind?: 'not-installed' | 'failed' }): string =>
            cliLanguage() === 'en' || !f.kind ? f.reason : t(f.kind === 'not-installed' ? 'status.fallbackMissing' : 'status.fallbackFailed');
          for (const f of p?.fallbacks ?? []) w(t('status.fallback', { provider: f.provider, reason: reason(f) }));
          for (const n of p?.notes ?? []) w(t('status.note', { note: n }));
          const o = status.ocr;
          if (o) {
            const state = o.enabled ? t('status.ocr.on', { done: o.done, withText: o.withText, pending: o.pending, failed: o.failed }) : t('status.ocr.off', { done: o.done });
            w(t('status.ocr', { model: o.model, state }));
            if (o.error) w(t('status.ocr.error', { error: o.error }));
          }
          for (const f of folders) {
            const why = f.offline ? t(`status.offline.${f.offline.reason}` as CliMessageKey) : '';
            w(t('status.folder', { path: f.path, count: f.photoCount }) + (f.offline ? t('status.offline', { since: f.offline.since, why }) : ''));
          }
          if (skipped.length) w(t('status.skippedHeader'));
          // The reason in the app's words; in English the engine's record, with the decoder's own account.
          const why = (raw: string): string => (cliLanguage() === 'en' ? raw : skipMessages[cliLanguage()][skipReasonKey(raw)]);
          for (const s of skipped) w(t('status.skipped', { path: s.path, reason: why(s.reason) }));
        });
      }),
    );
}
