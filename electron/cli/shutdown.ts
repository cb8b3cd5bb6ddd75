/**
 * Ctrl-C (SIGINT) and SIGTERM for the commands that run a while (`index`, `watch`, `serve`):
 * the first signal starts an orderly stop — the indexer stops after its current batch, reading
 * text after its current photo, tag prompts after their batch, downloads and int8 conversions are
 * aborted — and the process exits when that is done or after `graceMs` (default 4 s), whichever
 * comes first, so it always ends within 5 s. Whatever is cut short is safe: each photo is stored
 * in one transaction (WAL), downloads resume from their partial file, the vector index is rebuilt
 * from the change log. A second signal exits at once.
 */

export interface StopOptions {
  /** Printed on stderr when the stop begins. */
  message: string;
  /** Exit code once stopped (watch and serve: 0, they are meant to run until stopped; index: 130). */
  exitCode: number | ((signal: NodeJS.Signals) => number);
  /** Longest wait for the orderly stop before exiting anyway. */
  graceMs?: number;
}

/** Install the handlers; returns a function that removes them (the command finished by itself). */
export function stopOnSignals(stop: () => Promise<void>, opts: StopOptions): () => void {
  let stopping = false;
  const codeFor = (signal: NodeJS.Signals): number => (typeof opts.exitCode === 'function' ? opts.exitCode(signal) : opts.exitCode);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write('stopped at once.\n');
      process.exit(codeFor(signal));
    }
    stopping = true;
    process.stderr.write(`\n${opts.message}\n`);
    const deadline = setTimeout(() => {
      process.stderr.write('stopped before the current work finished (it resumes next time).\n');
      process.exit(codeFor(signal));
    }, opts.graceMs ?? 4000);
    deadline.unref();
    stop().then(
      () => process.exit(codeFor(signal)),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(codeFor(signal));
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** The usual exit code of a command interrupted by a signal (128 + its number). */
export function interruptedCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143;
}
