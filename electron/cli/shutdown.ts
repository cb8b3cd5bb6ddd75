/**
 * Ctrl-C (SIGINT) and SIGTERM for the commands that run a while (`index`, `watch`, `serve`):
 * the first signal starts an orderly stop — the indexer stops after its current batch, reading
 * text after its current photo, tag prompts after their batch, downloads and int8 conversions are
 * aborted — and the process ends, with its exit code, once that is done and nothing is left
 * running. If that takes longer than `graceMs` (default 3.5 s: a photo's text being read on a slow
 * machine, an int8 conversion step), the process ends by the signal itself, as if it had no
 * handler: at once, without the native teardown that aborts the process while an ONNX Runtime
 * worker is still inside a run (which process.exit() would do). Either way it ends within 5 s, and
 * whatever was cut short is safe: each photo is stored in one transaction (WAL), downloads resume
 * from their partial files, the vector index is rebuilt from the change log, an int8 model is
 * staged and only installed complete. A second signal ends it at once in the same way.
 */

import { t } from './i18n.ts';

export interface StopOptions {
  /** Printed on stderr when the stop begins. */
  message: string;
  /** Exit code once stopped in order (watch and serve: 0, they are meant to run until stopped; index: 130 / 143). */
  exitCode: number | ((signal: NodeJS.Signals) => number);
  /** Longest wait for the orderly stop before ending by the signal. */
  graceMs?: number;
}

/** Install the handlers; returns a function that removes them (the command finished by itself). */
export function stopOnSignals(stop: () => Promise<void>, opts: StopOptions): () => void {
  let stopping = false;
  const codeFor = (signal: NodeJS.Signals): number => (typeof opts.exitCode === 'function' ? opts.exitCode(signal) : opts.exitCode);
  const remove = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  /** End by the signal's default action: no JavaScript, no native teardown, the conventional status. */
  const dieBy = (signal: NodeJS.Signals): void => {
    remove();
    process.kill(process.pid, signal);
    // Should the default action not end it (a signal ignored by the parent), nothing else will.
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 500).unref();
  };
  function onSignal(signal: NodeJS.Signals): void {
    if (stopping) {
      process.stderr.write(`${t('stop.atOnce')}\n`);
      return dieBy(signal);
    }
    stopping = true;
    process.stderr.write(`\n${opts.message}\n`);
    const deadline = setTimeout(() => {
      process.stderr.write(`${t('stop.cutShort')}\n`);
      dieBy(signal);
    }, opts.graceMs ?? 3500);
    deadline.unref();
    // Stopped in order: the process ends by itself with its exit code once nothing is left running
    // (the deadline above, unref'd, does not hold it). Not process.exit(): it tears the native
    // modules down at once, and a worker thread that is still finishing (an OCR session being
    // released) then aborts the whole process (SIGABRT) — seen under load in the signal tests.
    const done = (): void => {
      process.exitCode = codeFor(signal);
      remove();
    };
    stop().then(done, (err: unknown) => {
      process.stderr.write(`error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
      done();
    });
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return remove;
}

/** The usual exit code of a command interrupted by a signal (128 + its number). */
export function interruptedCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143;
}
