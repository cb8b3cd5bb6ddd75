/**
 * The one module that owns the video decoder (lint: TECHNOLOGIES.video in eslint.config.js).
 *
 * The binaries come from the npm registry, inside the packages (docs/decisions/video.md says why
 * these): `@ffmpeg-installer/<platform>-<arch>` (ffmpeg) and `@ffprobe-installer/<platform>-<arch>`
 * (ffprobe). They are found the same way by the CLI, `serve` and the desktop engine process: the
 * platform package is resolved from this module's location; in a packaged app that path lies inside
 * app.asar, which the OS cannot execute from, so it is mapped to app.asar.unpacked (electron-builder.yml
 * unpacks both packages). SHIGUANG_FFMPEG / SHIGUANG_FFPROBE name other binaries (a system ffmpeg,
 * an LGPL build) and win over the packages.
 *
 * Every run is a child process with a stall timeout and an overall one, killed with its whole
 * process group on timeout, abort or when this process exits, so no decoder is ever left behind.
 * Output is consumed as a stream with back-pressure (a paused pipe blocks ffmpeg), so memory stays
 * bounded by the pipe and one frame, never by the video's size.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type VideoTool = 'ffmpeg' | 'ffprobe';

export interface VideoTools {
  ffmpeg: string;
  ffprobe: string;
}

const PACKAGE_SCOPE: Record<VideoTool, string> = { ffmpeg: '@ffmpeg-installer', ffprobe: '@ffprobe-installer' };
const ENV_OVERRIDE: Record<VideoTool, string> = { ffmpeg: 'SHIGUANG_FFMPEG', ffprobe: 'SHIGUANG_FFPROBE' };

/** The decoder is not installed or cannot run here: videos are left for later, not skipped as bad. */
export class VideoToolsMissingError extends Error {
  override readonly name = 'VideoToolsMissingError';
}

/** A path inside app.asar as the OS sees it: the unpacked copy beside the archive. */
export function unpackedPath(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  arch?: string;
  /** Resolves "pkg/package.json" to a file path; defaults to this module's require.resolve. */
  resolvePackage?: (request: string) => string;
}

function binaryName(tool: VideoTool, platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${tool}.exe` : tool;
}

/** Where one tool is, or a sentence saying why it is not usable. */
export function locateTool(tool: VideoTool, opts: ResolveOptions = {}): string {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const arch = opts.arch ?? process.arch;
  const override = env[ENV_OVERRIDE[tool]];
  if (override) {
    if (!isExecutable(override, platform)) throw new VideoToolsMissingError(`${ENV_OVERRIDE[tool]}=${override} is not an executable file`);
    return override;
  }
  const pkg = `${PACKAGE_SCOPE[tool]}/${platform}-${arch}`;
  const resolve = opts.resolvePackage ?? createRequire(import.meta.url).resolve;
  let manifest: string;
  try {
    manifest = resolve(`${pkg}/package.json`);
  } catch {
    throw new VideoToolsMissingError(`${tool} for ${platform}-${arch} is not installed (npm package ${pkg}); set ${ENV_OVERRIDE[tool]} to a ${tool} binary`);
  }
  const file = unpackedPath(path.join(path.dirname(manifest), binaryName(tool, platform)));
  if (!fs.existsSync(file)) throw new VideoToolsMissingError(`${pkg} has no ${binaryName(tool, platform)} (${file})`);
  if (!isExecutable(file, platform)) {
    // The packages set the executable bit in a postinstall script; an install without scripts
    // leaves it off. Restore it where we may (a development checkout), else say so.
    try {
      fs.chmodSync(file, fs.statSync(file).mode | 0o100);
    } catch {
      throw new VideoToolsMissingError(`${file} is not executable (was npm run with --ignore-scripts?)`);
    }
  }
  return file;
}

function isExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let cached: VideoTools | null = null;

/** Both tools, resolved once per process. Throws VideoToolsMissingError. */
export function videoTools(opts?: ResolveOptions): VideoTools {
  if (opts) return { ffmpeg: locateTool('ffmpeg', opts), ffprobe: locateTool('ffprobe', opts) };
  cached ??= { ffmpeg: locateTool('ffmpeg'), ffprobe: locateTool('ffprobe') };
  return cached;
}

/** Why a run ended badly, for the caller to classify (VideoError in errors.ts). */
export class ToolRunError extends Error {
  override readonly name = 'ToolRunError';
  constructor(
    readonly kind: 'timeout' | 'stalled' | 'aborted' | 'failed' | 'spawn-failed',
    readonly tool: VideoTool,
    message: string,
    /** The last lines the tool wrote to stderr (bounded). */
    readonly stderr: string,
    readonly exitCode: number | null = null,
  ) {
    super(message);
  }
}

export interface RunLimits {
  /** Kill when no output arrives for this long while the caller is waiting for it. */
  stallMs: number;
  /** Kill after this long in total, whatever happens. */
  totalMs: number;
  signal?: AbortSignal;
  /** How much of stderr to keep (the end of it). */
  stderrBytes?: number;
}

/** Every child still alive, killed if this process exits first (never leave a decoder behind). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) killTree(c);
  });
}

/** Kill a child and everything it started: its process group on POSIX, /T on Windows. */
export function killTree(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform === 'win32') spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
    else process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Children this process has running now (for tests and the bench). */
export function liveToolProcesses(): number[] {
  return [...live].map((c) => c.pid!).filter((p) => p !== undefined);
}

/**
 * One run of a tool: stdout as an async stream of chunks with back-pressure, stderr kept (tail),
 * the limits enforced. Always call `close()` (or drain `chunks()` to the end) — it kills the
 * process if still running and resolves when it is gone.
 */
export class ToolProcess {
  private readonly child: ChildProcess;
  private stderrTail = '';
  private failure: ToolRunError | null = null;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly totalTimer: NodeJS.Timeout;
  private stallTimer: NodeJS.Timeout | null = null;
  private readonly onAbort: () => void;

  constructor(
    readonly tool: VideoTool,
    bin: string,
    args: readonly string[],
    private readonly limits: RunLimits,
  ) {
    installExitHook();
    this.child = spawn(bin, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so killTree takes anything it started with it.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    live.add(this.child);
    const keep = limits.stderrBytes ?? 16_384;
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-keep);
      this.onStderr?.(s);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.fail(new ToolRunError('spawn-failed', tool, `${tool} could not be started: ${err.message}`, ''));
        resolve({ code: null, signal: null });
      });
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    }).finally(() => {
      live.delete(this.child);
      clearTimeout(this.totalTimer);
      if (this.stallTimer) clearTimeout(this.stallTimer);
      limits.signal?.removeEventListener('abort', this.onAbort);
    }) as Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    this.totalTimer = setTimeout(() => this.fail(new ToolRunError('timeout', tool, `${tool} took longer than ${Math.round(limits.totalMs / 1000)} s`, this.stderrTail)), limits.totalMs);
    this.onAbort = () => this.fail(new ToolRunError('aborted', tool, `${tool} was stopped`, this.stderrTail));
    if (limits.signal?.aborted) this.onAbort();
    else limits.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Text the tool writes to stderr, as it arrives (frames.ts reads timestamps from it). */
  onStderr: ((text: string) => void) | null = null;

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  private fail(err: ToolRunError): void {
    this.failure ??= err;
    killTree(this.child);
  }

  private armStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(
      () => this.fail(new ToolRunError('stalled', this.tool, `${this.tool} produced nothing for ${Math.round(this.limits.stallMs / 1000)} s`, this.stderrTail)),
      this.limits.stallMs,
    );
  }

  /**
   * stdout, chunk by chunk. The stall timer runs only while we wait for the tool, not while the
   * caller works on a chunk (a slow encoder must not count as a hung decoder).
   */
  async *chunks(): AsyncGenerator<Buffer> {
    const it = this.child.stdout![Symbol.asyncIterator]();
    try {
      for (;;) {
        this.armStall();
        const next = await it.next();
        if (this.stallTimer) clearTimeout(this.stallTimer);
        if (next.done) break;
        yield next.value as Buffer;
      }
    } finally {
      if (this.stallTimer) clearTimeout(this.stallTimer);
    }
    await this.finish();
  }

  /** Waits for the exit; throws ToolRunError when it failed, timed out or was aborted. */
  async finish(): Promise<void> {
    this.armStall();
    const { code, signal } = await this.exited;
    if (this.failure) throw this.failure;
    if (code !== 0) {
      throw new ToolRunError('failed', this.tool, `${this.tool} exited with ${code ?? signal}`, this.stderrTail, code);
    }
  }

  /** Kill if still running and wait until the process is gone. Never throws. */
  async close(): Promise<void> {
    killTree(this.child);
    // A paused stdout with unread data never ends, and 'close' waits for it: drop what is left.
    this.child.stdout?.destroy();
    await this.exited;
  }
}

/** Runs a tool to the end, collecting stdout up to maxBytes (more is a failure, not a truncation). */
export async function runToCompletion(tool: VideoTool, bin: string, args: readonly string[], limits: RunLimits & { maxBytes: number }): Promise<Buffer> {
  const p = new ToolProcess(tool, bin, args, limits);
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of p.chunks()) {
      size += chunk.length;
      if (size > limits.maxBytes) throw new ToolRunError('failed', tool, `${tool} wrote more than ${limits.maxBytes} bytes`, p.stderr);
      parts.push(chunk);
    }
  } finally {
    await p.close();
  }
  return Buffer.concat(parts);
}
