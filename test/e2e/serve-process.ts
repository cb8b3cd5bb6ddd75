/**
 * A `shiguang serve` child process as the browser suites use it: the URL it prints once it is
 * listening (with its token), and stopping it the way a person's Ctrl-C would, forcibly only if
 * it does not end in time.
 */
import type { ChildProcess } from 'node:child_process';

const SERVE_URL = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/;

/** The URL `serve` prints (stdout piped); rejects with what it printed if it exits first or takes over two minutes. */
export function servedUrl(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL in time:\n${out}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = SERVE_URL.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited early (code ${code}):\n${out}`));
    });
  });
}

/** SIGTERM, then SIGKILL if it is still running 10 s later. */
export async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
