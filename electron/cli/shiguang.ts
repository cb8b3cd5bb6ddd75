#!/usr/bin/env node
/**
 * Entry of the CLI (`npm run cli -- <command>`): starts ./main.ts in a process that has the
 * engine's allocator settings (util/allocator-env.ts). glibc reads them only when a process starts,
 * so where they are missing (Linux) the command runs in a child started with them; this process just
 * passes the child's exit status on. Nothing heavy is imported before that decision.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { lacksAllocatorEnv, withAllocatorEnv } from '../engine/util/allocator-env.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

if (lacksAllocatorEnv(process.env)) {
  const child = spawn(process.execPath, [...process.execArgv, main, ...process.argv.slice(2)], { stdio: 'inherit', env: withAllocatorEnv(process.env) });
  // Ctrl-C reaches the child from the terminal itself (same process group): forwarding it too
  // would read as a second Ctrl-C (stop now). A signal sent to this process alone is passed on.
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(1);
  });
  // A child ended by a signal: the shell's convention, 128 + its number.
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
} else {
  await import('./main.ts');
}
