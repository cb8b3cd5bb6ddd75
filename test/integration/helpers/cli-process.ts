/**
 * The CLI as a person runs it, for the fault tests: one-shot runs, and long-running ones (`watch`,
 * `serve`, an `index` to interrupt) whose output is followed line by line, so a test waits for a
 * state the process reports — never for a fixed interval.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const FS_FAULTS = path.resolve('test/integration/helpers/fs-faults.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env: NodeJS.ProcessEnv;
  /** Load helpers/fs-faults.mjs (a share that hangs, read counting: see its environment variables). */
  fsFaults?: boolean;
  cwd?: string;
}

/** tsx by its file (a run in another working folder does not find the package by name). */
const TSX = pathToFileURL(path.resolve('node_modules/tsx/dist/loader.mjs')).href;

const nodeArgs = (opts: CliOptions): string[] => ['--import', TSX, ...(opts.fsFaults ? ['--import', pathToFileURL(FS_FAULTS).href] : []), path.resolve('electron/cli/main.ts')];

/** One run to its end. */
export function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs(opts), ...args], { env: opts.env, cwd: opts.cwd ?? process.cwd(), maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

export interface CliProcess {
  child: ChildProcess;
  /** Every line printed so far (stdout and stderr interleaved as they arrive). */
  lines: string[];
  /** Waits for a line matching `re` at index ≥ `after`; resolves with its index. */
  waitFor(re: RegExp, opts?: { after?: number; timeoutMs?: number }): Promise<number>;
  /** Sends `signal` and resolves once the process has exited: its code and how long it took. */
  signal(signal: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /** Kills it if still running (test clean-up). */
  kill(): void;
}

export function spawnCli(args: string[], opts: CliOptions): CliProcess {
  const child = spawn(process.execPath, [...nodeArgs(opts), ...args], { env: opts.env, cwd: opts.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const feed = (stream: NodeJS.ReadableStream): void => {
    let partial = '';
    stream.on('data', (d: Buffer) => {
      partial += d.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      // A progress bar rewrites its line with \r: each rewrite counts as a line.
      for (const p of parts) lines.push(...p.split('\r').filter(Boolean));
      for (const w of waiters) w();
    });
  };
  feed(child.stdout!);
  feed(child.stderr!);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    for (const w of waiters) w();
  });
  const waitFor = (re: RegExp, o: { after?: number; timeoutMs?: number } = {}): Promise<number> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const i = lines.findIndex((l, k) => k >= (o.after ?? 0) && re.test(l));
        if (i >= 0) return done(() => resolve(i));
        if (exit) done(() => reject(new Error(`exited (${JSON.stringify(exit)}) before printing ${re}:\n${lines.slice(-40).join('\n')}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no line matching ${re} within ${o.timeoutMs ?? 120_000} ms:\n${lines.slice(-40).join('\n')}`))), o.timeoutMs ?? 120_000);
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    lines,
    waitFor,
    signal: (sig, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const t0 = performance.now();
        if (exit) return resolve({ ...exit, ms: 0 });
        const timer = setTimeout(() => reject(new Error(`still running ${timeoutMs} ms after ${sig}:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, ms: performance.now() - t0 });
        });
        child.kill(sig);
      }),
    kill: () => {
      if (!exit) child.kill('SIGKILL');
    },
  };
}
