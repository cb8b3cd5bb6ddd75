/**
 * Progress on stderr while an indexing pass runs: a live bar on a terminal, and an occasional
 * plain line when stderr is a file or a pipe (CI logs), so stdout stays clean for --json.
 */
import cliProgress from 'cli-progress';
import path from 'node:path';
import type { IndexProgress } from '../shared/api.ts';
import { t } from './i18n.ts';

export function followProgress(snapshot: () => IndexProgress): () => void {
  const tty = Boolean(process.stderr.isTTY);
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: t('progress.indexing.bar'),
      hideCursor: true,
      noTTYOutput: false,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let lastLine = 0;
  const tick = (): void => {
    const p = snapshot();
    if (!p.running && !started) return;
    const payload = {
      rate: p.rate.toFixed(1),
      eta_h: p.etaSeconds == null ? '—' : formatEta(p.etaSeconds),
      file: p.current ? path.basename(p.current).slice(0, 40) : '',
    };
    if (!tty) {
      if (Date.now() - lastLine > 5000 && p.total > 0) {
        lastLine = Date.now();
        process.stderr.write(`${t('progress.indexing.line', { done: p.done, total: p.total, rate: payload.rate, eta: payload.eta_h })}\n`);
      }
      started = true;
      return;
    }
    if (!started) {
      bar.start(Math.max(p.total, 1), p.done, payload);
      started = true;
    }
    bar.setTotal(Math.max(p.total, 1));
    bar.update(p.done, payload);
  };
  const timer = setInterval(tick, 200);
  return () => {
    clearInterval(timer);
    tick();
    if (started && tty) bar.stop();
  };
}

export function formatEta(seconds: number): string {
  if (seconds < 60) return t('eta.seconds', { s: seconds });
  if (seconds < 3600) return t('eta.minutes', { m: Math.floor(seconds / 60), s: String(seconds % 60).padStart(2, '0') });
  return t('eta.hours', { h: Math.floor(seconds / 3600), m: String(Math.floor((seconds % 3600) / 60)).padStart(2, '0') });
}

/** A counted bar for one phase (tag prompts, OCR): live on a terminal, a line every 5 s otherwise. */
function followCount(label: string, unit: string): { update: (done: number, total: number) => void; stop: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: ` ${label} {bar} {percentage}% | {value}/{total}${unit} | ${t('progress.eta')} {eta_formatted}`, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let lastLine = 0;
  return {
    update: (done, total) => {
      if (total === 0) return;
      if (!tty) {
        if (Date.now() - lastLine > 5000 || done === total) {
          lastLine = Date.now();
          process.stderr.write(`${t('progress.countLine', { label, done, total, unit })}\n`);
        }
        return;
      }
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** What each pass's bar says, in the CLI's language (passes without an entry show their name). */
const passLabels = (): Record<string, { label: string; unit: string; preparing?: string }> => ({
  places: { label: t('progress.places'), unit: t('progress.photos') },
  tags: { label: t('progress.tags'), unit: t('progress.photos'), preparing: t('progress.tagPrompts') },
  ocr: { label: t('progress.ocr'), unit: t('progress.photos') },
  videos: { label: t('progress.videos'), unit: t('progress.videosUnit') },
  stacks: { label: t('progress.stacks'), unit: t('progress.photos') },
});

/**
 * Progress of the per-photo passes a command runs (scheduler.runAll's onProgress): one counted bar
 * per pass and per preparation (the tag prompts, the first time for a model), one after another.
 */
export function followPasses(): { update: (pass: string, p: { done: number; total: number; preparing: boolean }) => void; stop: () => void } {
  let current: { key: string; bar: ReturnType<typeof followCount> } | null = null;
  return {
    update: (pass, p) => {
      const l = passLabels()[pass] ?? { label: pass, unit: t('progress.photos') };
      const key = `${pass}:${p.preparing}`;
      if (current?.key !== key) {
        current?.bar.stop();
        current = { key, bar: p.preparing ? followCount(l.preparing ?? t('progress.preparing', { label: l.label }), '') : followCount(l.label, l.unit) };
      }
      current.bar.update(p.done, p.total);
    },
    stop: () => current?.bar.stop(),
  };
}

/** Progress of encoding the tag prompts (`tags add` / `tags apply` the first time for a model). */
export function followTagPrompts(): { update: (done: number, total: number) => void; stop: () => void } {
  return followCount(t('progress.tagPrompts'), '');
}
