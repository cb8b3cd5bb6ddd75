/**
 * Progress on stderr while an indexing pass runs: a live bar on a terminal, and an occasional
 * plain line when stderr is a file or a pipe (CI logs), so stdout stays clean for --json.
 */
import cliProgress from 'cli-progress';
import path from 'node:path';
import type { IndexProgress } from '../shared/api.ts';

export function followProgress(snapshot: () => IndexProgress): () => void {
  const tty = Boolean(process.stderr.isTTY);
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% | {value}/{total} photos | {rate}/s | ETA {eta_h} | {file}',
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
        process.stderr.write(`indexing: ${p.done}/${p.total} photos, ${payload.rate}/s, ETA ${payload.eta_h}\n`);
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
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** A counted bar for one phase (tag prompts, OCR): live on a terminal, a line every 5 s otherwise. */
function followCount(label: string, unit: string): { update: (done: number, total: number) => void; stop: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: ` ${label} {bar} {percentage}% | {value}/{total}${unit} | ETA {eta_formatted}`, hideCursor: true, clearOnComplete: false },
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
          process.stderr.write(`${label}: ${done}/${total}${unit}\n`);
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

/** What each pass's bar says (passes without an entry show their name). */
const PASS_LABELS: Record<string, { label: string; unit: string; preparing?: string }> = {
  tags: { label: 'tags', unit: ' photos', preparing: 'tag prompts' },
  ocr: { label: 'text (OCR)', unit: ' photos' },
  videos: { label: 'videos', unit: ' videos' },
};

/**
 * Progress of the per-photo passes a command runs (scheduler.runAll's onProgress): one counted bar
 * per pass and per preparation (the tag prompts, the first time for a model), one after another.
 */
export function followPasses(): { update: (pass: string, p: { done: number; total: number; preparing: boolean }) => void; stop: () => void } {
  let current: { key: string; bar: ReturnType<typeof followCount> } | null = null;
  return {
    update: (pass, p) => {
      const l = PASS_LABELS[pass] ?? { label: pass, unit: ' photos' };
      const key = `${pass}:${p.preparing}`;
      if (current?.key !== key) {
        current?.bar.stop();
        current = { key, bar: p.preparing ? followCount(l.preparing ?? `${l.label} (preparing)`, '') : followCount(l.label, l.unit) };
      }
      current.bar.update(p.done, p.total);
    },
    stop: () => current?.bar.stop(),
  };
}

/** Progress of encoding the tag prompts (`tags add` / `tags apply` the first time for a model). */
export function followTagPrompts(): { update: (done: number, total: number) => void; stop: () => void } {
  return followCount('tag prompts', '');
}
