/**
 * `shiguang serve` in a child process on a fresh library (its database under `tmp`), with the
 * generated toy-colors model: the URL it printed, a token-authorised API call, a wait for a state
 * of the engine, and a close that stops the process and removes `tmp`. The suites that need a
 * library of their own (relevance, video) start it here.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { servedUrl, stopServe } from './serve-process.ts';

export interface ToyServe {
  url: string;
  token: string;
  api(method: string, body: unknown): Promise<Record<string, unknown>>;
  /** Polls `status` until `done` says so (what it waits for named in the error after `timeoutMs`). */
  until(done: (status: Record<string, unknown>) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function serveToyColors(root: string, tmp: string, models: string): Promise<ToyServe> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'electron/cli/main.ts'), '--db', path.join(tmp, 'library.db'), '--model', path.join(models, 'toy-colors'), '--threads', '1', 'serve'],
    { cwd: root, env: { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const close = async (): Promise<void> => {
    await stopServe(child);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const url = await servedUrl(child);
    const token = new URL(url).searchParams.get('token')!;
    const api = async (method: string, body: unknown): Promise<Record<string, unknown>> => {
      const r = await fetch(new URL(`/api/${method}`, url), { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${method}: HTTP ${r.status} ${await r.text()}`);
      return (await r.json()) as Record<string, unknown>;
    };
    const until = async (done: (status: Record<string, unknown>) => boolean, what: string, timeoutMs = 300_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await api('status', {});
        if (done(status)) return;
        if (Date.now() > deadline) throw new Error(`${what} not in time: ${JSON.stringify({ counts: status.counts, videos: status.videos })}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    return { url, token, api, until, close };
  } catch (err) {
    await close();
    throw err;
  }
}
