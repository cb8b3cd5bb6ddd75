/**
 * Frames of a video for the image encoder: sampled at scene changes and at least every
 * `intervalS` seconds, decoded by ffmpeg to upright RGB, then turned into the model's input by the
 * photo path's own code (media/decode.ts rasterForModel: box reduce + Pillow bicubic + the same
 * normalisation), so a frame gives the tensor its PNG would. Streams (time, tensor) pairs: one
 * frame is in memory at a time and a paused consumer pauses ffmpeg (pipe back-pressure).
 *
 * The sampling rule (measured in docs/decisions/video.md):
 * - a frame is kept when it is the first, when `intervalS` passed since the last kept one, or when
 *   ffmpeg's scene score (0–1, mean absolute difference to the previous decoded frame, normalised)
 *   exceeds `sceneThreshold` and at least `minGapS` passed (a strobe must not emit every frame);
 * - videos up to `keyframesOnlyAfterS` (3 min: most phone clips) decode every frame, so scene
 *   changes are seen where they happen; longer ones decode only keyframes (`-skip_frame nokey`,
 *   measured ~4× cheaper on 1080p H.264), so a two-hour recording costs its keyframes, not its
 *   200 000 frames. Phones write a keyframe every 1–2 s and encoders usually put one at a cut, so
 *   the rule still mostly holds there; with sparser keyframes the interval becomes their spacing.
 */
import { rasterForModel, toNormalisedChw, type PreprocessSpec, type Raster } from '../media/decode.ts';
import { classifyToolError, decoderTools, VideoError } from './errors.ts';
import { ToolProcess } from './ffmpeg.ts';
import { safeInputArgs, type VideoProbe } from './probe.ts';

export interface SampleOptions {
  spec: PreprocessSpec;
  /** Longest gap between kept frames, seconds. */
  intervalS?: number;
  /** ffmpeg scene score above which a frame starts a new moment. */
  sceneThreshold?: number;
  /** Shortest gap after a kept frame before a scene change counts, seconds. */
  minGapS?: number;
  /** Longer videos decode keyframes only. */
  keyframesOnlyAfterS?: number;
  /** Decoder threads (ffmpeg -threads). */
  threads?: number;
  signal?: AbortSignal;
  /** Kill the decoder when it produces nothing for this long (default 60 s). */
  stallMs?: number;
}

export const SAMPLING_DEFAULTS = {
  intervalS: 2,
  sceneThreshold: 0.3,
  minGapS: 0.5,
  keyframesOnlyAfterS: 180,
  threads: 2,
} as const;

/** Frames bigger than this (pixels) are area-reduced by ffmpeg before they reach the pipe (8K). */
export const MAX_PIPE_PIXELS = 3840 * 2160;

export interface SampledFrame {
  /** Seconds from the start of the video. */
  t: number;
  /** CHW float32, the image encoder's input. */
  tensor: Float32Array;
  /** Why it was kept. */
  reason: 'first' | 'interval' | 'scene';
  /**
   * The frame itself (upright RGB as it left ffmpeg), for a thumbnail. A view of a buffer reused
   * for the next frame: valid only until the consumer asks for the next one.
   */
  rgb: Raster;
}

/** The size frames leave ffmpeg at: upright, reduced by an integer factor only beyond MAX_PIPE_PIXELS. */
export function pipeSize(width: number, height: number): { width: number; height: number } {
  let k = 1;
  while (Math.ceil(width / k) * Math.ceil(height / k) > MAX_PIPE_PIXELS) k++;
  // RGB needs no even sizes: an odd-sized video keeps its exact size (and its exact parity).
  return { width: Math.max(1, Math.floor(width / k)), height: Math.max(1, Math.floor(height / k)) };
}

/** The select expression: first frame, every `interval` s, or a scene change after `minGap` s. */
export function selectExpression(o: { intervalS: number; sceneThreshold: number; minGapS: number }): string {
  const since = 't-prev_selected_t';
  return `isnan(prev_selected_t)+gte(${since}\\,${o.intervalS})+gt(scene\\,${o.sceneThreshold})*gte(${since}\\,${o.minGapS})`;
}

export function ffmpegFrameArgs(file: string, probe: VideoProbe, o: Required<Omit<SampleOptions, 'signal' | 'stallMs' | 'spec'>>): { args: string[]; width: number; height: number; keyframesOnly: boolean } {
  const v = probe.video!;
  const { width, height } = pipeSize(v.width, v.height);
  const keyframesOnly = probe.durationS > o.keyframesOnlyAfterS;
  const filters = [
    `select='${selectExpression(o)}'`,
    'showinfo',
    // Full-range RGB from the stream's own matrix, as when the frame is saved as PNG; area
    // averaging only when the frame is reduced (beyond MAX_PIPE_PIXELS).
    `scale=${width}:${height}:flags=area+accurate_rnd+full_chroma_int`,
    'format=rgb24',
  ];
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info',
    '-threads', String(o.threads),
    ...(keyframesOnly ? ['-skip_frame', 'nokey'] : []),
    ...safeInputArgs(file),
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vf', filters.join(','),
    '-vsync', 'passthrough',
    '-f', 'rawvideo', 'pipe:1',
  ];
  return { args, width, height, keyframesOnly };
}

const SHOWINFO = /\bn:\s*\d+\s+pts:\s*-?\d+\s+pts_time:\s*(-?[\d.]+(?:e-?\d+)?)/;

/**
 * Frames as they are decoded. Throws VideoError (classified from ffmpeg's words) when decoding
 * fails or stalls — possibly after some frames were yielded (a file cut off half-way is found out
 * at its cut), so a caller stores a video's frames only once the generator has finished. The
 * decoder process is gone when the generator ends, however it ends.
 */
export async function* sampleFrames(file: string, probe: VideoProbe, opts: SampleOptions): AsyncGenerator<SampledFrame> {
  if (!probe.video) throw new VideoError('audio-only', 'the file has no picture to sample');
  const o = { ...SAMPLING_DEFAULTS, ...stripUndefined(opts), spec: opts.spec };
  const tools = decoderTools();
  const { args, width, height } = ffmpegFrameArgs(file, probe, o);
  const frameBytes = width * height * 3;
  // Unknown duration (0): 30 minutes, the bound for what the decoder may take on one video.
  const totalMs = probe.durationS > 0 ? 120_000 + probe.durationS * 2_000 : 30 * 60_000;
  const proc = new ToolProcess('ffmpeg', tools.ffmpeg, args, { stallMs: opts.stallMs ?? 60_000, totalMs, signal: opts.signal });
  const times: number[] = [];
  let partial = '';
  let cutOff = false;
  proc.onStderr = (text) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const m = l.includes('Parsed_showinfo') ? SHOWINFO.exec(l) : null;
      if (m) times.push(Number(m[1]));
      // The demuxer meets the end of the file before the end its index promises; ffmpeg itself
      // still exits 0, having decoded what was there.
      else if (/partial file|File ended prematurely/.test(l)) cutOff = true;
    }
  };
  const frame = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  let index = 0;
  let lastT = -Infinity;
  try {
    for await (const chunk of proc.chunks()) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        chunk.copy(frame, filled, off, off + n);
        filled += n;
        off += n;
        if (filled < frameBytes) continue;
        // showinfo logs a frame before ffmpeg writes it, but the two pipes race: wait for its line.
        for (let waited = 0; times.length <= index; waited += 5) {
          if (waited > 10_000) throw new VideoError('decode-failed', 'the decoder gave no timestamp for a frame (unexpected ffmpeg log format)');
          await new Promise((r) => setTimeout(r, 5));
        }
        const t = Math.max(0, times[index]);
        const raster: Raster = { data: new Uint8Array(frame.buffer, frame.byteOffset, frameBytes), width, height, channels: 3 };
        const tensor = toNormalisedChw(rasterForModel(raster, o.spec), o.spec);
        const reason = index === 0 ? 'first' : t - lastT >= o.intervalS - 1e-3 ? 'interval' : 'scene';
        index++;
        lastT = t;
        filled = 0;
        // Frames already in the pipe are not handed out after a stop.
        if (opts.signal?.aborted) throw new VideoError('aborted', 'the video: decoding was stopped');
        // The tensor is a fresh array; `rgb` is the frame buffer, reused for the next frame.
        yield { t, tensor, reason, rgb: raster };
      }
    }
    if (cutOff) {
      throw new VideoError('truncated', `the video is truncated: its data ends at ${lastT.toFixed(1)} s of ${probe.durationS.toFixed(1)} s (an interrupted copy or recording)`);
    }
    if (index === 0) throw new VideoError('decode-failed', 'the decoder produced no frame from the video');
  } catch (err) {
    if (err instanceof VideoError) throw err;
    throw classifyToolError(err, file);
  } finally {
    await proc.close();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface FrameRgb extends Raster {
  t: number;
}

/**
 * One upright frame at (or just after) `t` seconds, at most `maxSide` pixels on its longer side,
 * as RGB: the poster (t ≈ 1 s) or a segment's thumbnail. Seeks (input -ss): never decodes the video
 * from the start.
 */
export async function frameAt(file: string, probe: VideoProbe, t: number, maxSide: number, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<FrameRgb> {
  const v = probe.video;
  if (!v) throw new VideoError('audio-only', 'the file has no picture');
  const tools = decoderTools();
  const scale = Math.min(1, maxSide / Math.max(v.width, v.height));
  const width = Math.max(2, Math.round((v.width * scale) / 2) * 2);
  const height = Math.max(2, Math.round((v.height * scale) / 2) * 2);
  const at = Math.max(0, Math.min(t, probe.durationS - 0.05));
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-threads', '2',
    '-ss', at.toFixed(3), ...safeInputArgs(file),
    '-map', '0:v:0', '-an', '-sn', '-dn', '-frames:v', '1',
    '-vf', `scale=${width}:${height}:flags=area+accurate_rnd+full_chroma_int,format=rgb24`,
    '-f', 'rawvideo', 'pipe:1',
  ];
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const proc = new ToolProcess('ffmpeg', tools.ffmpeg, args, { stallMs: timeoutMs, totalMs: timeoutMs, signal: opts.signal });
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of proc.chunks()) {
      size += chunk.length;
      if (size > width * height * 3) break;
      parts.push(chunk);
    }
  } catch (err) {
    throw classifyToolError(err, file);
  } finally {
    await proc.close();
  }
  const data = Buffer.concat(parts);
  if (data.length < width * height * 3) throw new VideoError('decode-failed', `no frame could be decoded at ${at.toFixed(1)} s`);
  return { t: at, data: new Uint8Array(data.buffer, data.byteOffset, width * height * 3), width, height, channels: 3 };
}

/** Where the poster is taken: 1 s in (past fade-ins and the black first frame), or the middle of a shorter clip. */
export function posterTime(durationS: number): number {
  return Math.min(1, durationS / 2);
}
