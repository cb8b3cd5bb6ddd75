/**
 * A person's first run, measured as they run it: the model installed with `models import` + `models
 * use`, a new library (every default on), `shiguang index FOLDER` in a fresh process, then `shiguang index --tags FOLDER` (the tag
 * prompts, the first time for this model). Reported per corpus size: the command's wall time, the
 * indexer's own seconds and images/s, the text-reading (OCR) pass that follows it, the indexer's
 * ratio to the bare encoder measured in the same run, and the process's peak RSS (VmHWM, polled
 * from /proc on Linux; null elsewhere).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withAllocatorEnv } from '../../electron/engine/util/allocator-env.ts';

export interface CommandRun {
  wallSeconds: number;
  peakRssMiB: number | null;
  /** User + system CPU seconds of the process (polled from /proc every 100 ms: the last ~0.1 s may be missing); null off Linux. */
  cpuSeconds: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `npm run cli -- …` does, in a fresh process, and watches its memory and CPU. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // main.ts directly, so the polled process is the one doing the work; with the C allocator
    // settings the `shiguang` launcher (electron/cli/shiguang.ts) starts it with, so its memory is
    // what a person's `npm run cli` process peaks at.
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], { env: withAllocatorEnv({ ...process.env, ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    let peakKiB: number | null = null;
    let cpuTicks: number | null = null;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB ?? 0, Number(m[1]));
        // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, after the ")" of the name.
        const f = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(')').pop()!.trim().split(' ');
        cpuTicks = Number(f[11]) + Number(f[12]);
      } catch {
        // not Linux, or the process is gone
      }
    }, 100);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`shiguang ${args.join(' ')} exited with ${code}\n${stderr}`));
      resolve({ wallSeconds: (performance.now() - t0) / 1000, peakRssMiB: peakKiB === null ? null : Math.round(peakKiB / 1024), cpuSeconds: cpuTicks === null ? null : cpuTicks / 100, stdout, stderr });
    });
  });
}

export interface FirstRunResult {
  files: number;
  /** `index FOLDER` on a new library: the whole command, as the person waits for it. */
  indexWallSeconds: number;
  /** The indexer's own time (scan, hash, model load, decode, encode, store). */
  indexSeconds: number;
  /** The text-reading pass `index` runs after the indexer (OCR is on by default): photos, seconds. */
  ocrPhotos: number | null;
  ocrSeconds: number | null;
  imagesPerSecond: number;
  /** The same without the image tower's load (measured separately in this run). */
  pipelineImagesPerSecond: number;
  ratioToBareEncoder: number | null;
  pipelineRatioToBareEncoder: number | null;
  /** CPU ms the `index` process spent per photo (start-up, model load, scan, hashing, decoding, encoding, storing). */
  cpuMsPerPhoto: number | null;
  /**
   * The bare encoder's CPU ms per image over cpuMsPerPhoto: the share of the process's CPU that
   * went into the encoder. Unlike the ratio of rates, other processes' load does not move it.
   */
  cpuRatioToBareEncoder: number | null;
  indexPeakRssMiB: number | null;
  /** `index --tags FOLDER` right after: nothing new to encode; the tag prompts and one tagging pass. */
  tagsWallSeconds: number;
  tagPromptsSeconds: number | null;
  tagsPeakRssMiB: number | null;
}

/**
 * A data directory with the model installed the way a person installs it (`models import`, which
 * runs what a download runs: the test encode and the short text sequences), and made active with
 * `models use`. Shared by the first runs; each gets its own new library file.
 */
export async function installForFirstRun(modelDir: string): Promise<{ home: string; importSeconds: number; close: () => void }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-firstrun-home-'));
  const env = { SHIGUANG_HOME: home, SHIGUANG_LOG: 'warn' };
  const imported = await runCli(['models', 'import', modelDir], env);
  const id = /installed (\S+) /.exec(imported.stdout)?.[1];
  if (!id) throw new Error(`models import printed no id:\n${imported.stdout}`);
  await runCli(['models', 'use', id], env);
  return { home, importSeconds: Math.round(imported.wallSeconds * 10) / 10, close: () => fs.rmSync(home, { recursive: true, force: true }) };
}

export async function benchFirstRun(opts: {
  /** From installForFirstRun: the model is the active one there. */
  home: string;
  makeCorpus: (dir: string, n: number) => void;
  files: number;
  bareImagesPerSecond: number | null;
  /** The bare encoder's CPU ms per image, measured in the same run. */
  bareCpuMsPerImage?: number | null;
  modelLoadSeconds: number;
  /** Extra environment for the `index` process (e.g. SHIGUANG_RESAMPLE=js). */
  env?: NodeJS.ProcessEnv;
}): Promise<FirstRunResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-firstrun-'));
  try {
    const photos = path.join(tmp, 'photos');
    opts.makeCorpus(photos, opts.files);
    const env = { ...opts.env, SHIGUANG_HOME: opts.home, SHIGUANG_DB: path.join(tmp, 'library.db'), SHIGUANG_LOG: 'info' };
    // BENCH_FIRSTRUN_OCR=0: `index --no-ocr` (the text pass after indexing is left out).
    const index = await runCli(['index', photos, '--json', ...(process.env.BENCH_FIRSTRUN_OCR === '0' ? ['--no-ocr'] : [])], env);
    const summary = JSON.parse(index.stdout) as { encoded: number; seconds: number };
    const ocr = /text \(OCR\): read (\d+) photos in ([\d.]+) s/.exec(index.stderr);
    // BENCH_FIRSTRUN_TAGS=0: skip `index --tags` (the tag prompts) when only indexing is measured.
    const tags = process.env.BENCH_FIRSTRUN_TAGS === '0' ? { wallSeconds: 0, stderr: '', peakRssMiB: null, cpuSeconds: null } : await runCli(['index', '--tags', photos], env);
    const prompts = /encoded \d+ prompts for \d+ tags in (\d+) ms/.exec(tags.stderr);
    const ips = summary.encoded / summary.seconds;
    const pipeline = summary.encoded / Math.max(1e-3, summary.seconds - opts.modelLoadSeconds);
    const r2 = (x: number): number => Math.round(x * 100) / 100;
    return {
      files: opts.files,
      indexWallSeconds: r2(index.wallSeconds),
      indexSeconds: r2(summary.seconds),
      ocrPhotos: ocr ? Number(ocr[1]) : null,
      ocrSeconds: ocr ? Number(ocr[2]) : null,
      imagesPerSecond: r2(ips),
      pipelineImagesPerSecond: r2(pipeline),
      ratioToBareEncoder: opts.bareImagesPerSecond ? r2(ips / opts.bareImagesPerSecond) : null,
      pipelineRatioToBareEncoder: opts.bareImagesPerSecond ? r2(pipeline / opts.bareImagesPerSecond) : null,
      cpuMsPerPhoto: index.cpuSeconds === null ? null : r2((index.cpuSeconds * 1000) / summary.encoded),
      cpuRatioToBareEncoder: index.cpuSeconds !== null && opts.bareCpuMsPerImage ? r2(opts.bareCpuMsPerImage / ((index.cpuSeconds * 1000) / summary.encoded)) : null,
      indexPeakRssMiB: index.peakRssMiB,
      tagsWallSeconds: r2(tags.wallSeconds),
      tagPromptsSeconds: prompts ? r2(Number(prompts[1]) / 1000) : null,
      tagsPeakRssMiB: tags.peakRssMiB,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
