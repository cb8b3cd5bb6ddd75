/**
 * What a video is, from ffprobe's JSON: duration, upright size and rotation, frame rate (and whether
 * it varies), codecs, when and where it was recorded, and the Apple Live Photo identifier.
 * `parseProbe` is pure (tested on real files' JSON); `probeVideo` runs ffprobe with limits.
 */
import fs from 'node:fs/promises';
import { describeUnknownContent, formatSize } from '../media/describe.ts';
import { sniffFormat } from '../media/formats.ts';
import { VideoError, classifyToolError, decoderTools } from './errors.ts';
import { runToCompletion } from './ffmpeg.ts';
import { parseIso6709, type GeoPoint } from './iso6709.ts';
import { sniffVideoContainer } from './containers.ts';

export interface VideoStreamInfo {
  codec: string;
  profile: string | null;
  /** Size as stored. */
  codedWidth: number;
  codedHeight: number;
  /** Size as shown (after rotation). */
  width: number;
  height: number;
  /** Clockwise degrees a player turns the stored picture to show it upright. */
  rotation: 0 | 90 | 180 | 270;
  /** Average frames per second over the stream (null when unknown). */
  fps: number | null;
  /** True when frame durations vary (phones do this in low light; screen recordings too). */
  variableFrameRate: boolean;
  frames: number | null;
  pixelFormat: string | null;
}

export interface VideoProbe {
  /** ffmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi". */
  container: string;
  /** Seconds; 0 when the container does not say (a WebM recorded live). */
  durationS: number;
  video: VideoStreamInfo | null;
  audioCodec: string | null;
  /** When recording started, as UTC epoch milliseconds (null when absent or a zero date). */
  createdAtMs: number | null;
  /** The camera's UTC offset in minutes when the file says it (Apple's creationdate does). */
  createdAtOffsetMin: number | null;
  location: GeoPoint | null;
  make: string | null;
  model: string | null;
  /** Apple's com.apple.quicktime.content.identifier: the Live Photo this video belongs to. */
  contentIdentifier: string | null;
  /** Android slow motion: the capture rate (com.android.capture.fps) when it differs from playback. */
  captureFps: number | null;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  pix_fmt?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

export interface RawProbe {
  streams?: RawStream[];
  format?: { format_name?: string; duration?: string; tags?: Record<string, string> };
}

function rate(r: string | undefined): number | null {
  if (!r) return null;
  const [n, d] = r.split('/').map(Number);
  const v = d ? n / d : n;
  return Number.isFinite(v) && v > 0 ? v : null;
}

/** "00:00:00.967000000" (Matroska statistics tags) → seconds. */
function hms(text: string | undefined): number | undefined {
  const m = text ? /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text) : null;
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

function lowerKeys(tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function rotationOf(s: RawStream): 0 | 90 | 180 | 270 {
  // ffprobe ≥ 5 reports the display matrix (counter-clockwise degrees); older ones a "rotate" tag
  // (clockwise). Both normalised to clockwise.
  const side = s.side_data_list?.find((d) => typeof d.rotation === 'number');
  const cw = side ? -side.rotation! : Number(lowerKeys(s.tags).rotate ?? 0);
  const r = ((Math.round(cw / 90) * 90) % 360 + 360) % 360;
  return r as 0 | 90 | 180 | 270;
}

/** "2023-05-09T12:41:46+0100", "2016-05-31T17:01:35.000000Z", "2016-05-31 17:01:35" (Matroska: UTC). */
export function parseVideoDate(text: string | undefined): { ms: number; offsetMin: number | null } | null {
  if (!text) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, frac ? Math.round(Number(frac) * 1000) : 0);
  let offsetMin: number | null = null;
  if (zone && zone !== 'Z') {
    const z = zone.replace(':', '');
    offsetMin = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
    ms -= offsetMin * 60_000;
  }
  // QuickTime's epoch (1904) or Unix 0 written by cameras without a clock: no date.
  if (!Number.isFinite(ms) || +y < 1971) return null;
  return { ms, offsetMin };
}

export function parseProbe(raw: RawProbe): VideoProbe {
  const streams = raw.streams ?? [];
  const tags = lowerKeys(raw.format?.tags);
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic && (s.width ?? 0) > 0);
  const a = streams.find((s) => s.codec_type === 'audio');
  const vTags = lowerKeys(v?.tags);
  let video: VideoStreamInfo | null = null;
  const durationS = Number(raw.format?.duration ?? v?.duration ?? NaN);
  if (v) {
    const rotation = rotationOf(v);
    const turned = rotation === 90 || rotation === 270;
    // Matroska has no frame count in its index; mkvmerge writes one as a statistics tag.
    const count = v.nb_frames ?? vTags.number_of_frames;
    const frames = count && /^\d+$/.test(count) ? Number(count) : null;
    const streamDuration = Number(v.duration ?? hms(vTags.duration) ?? durationS);
    const nominal = rate(v.r_frame_rate);
    let avg = rate(v.avg_frame_rate);
    // Matroska reports its 1 ms timebase as avg_frame_rate: count frames instead where known.
    if (avg !== null && avg >= 500) avg = frames && streamDuration > 0 ? frames / streamDuration : null;
    video = {
      codec: v.codec_name ?? 'unknown',
      profile: v.profile ?? null,
      codedWidth: v.width!,
      codedHeight: v.height ?? 0,
      width: turned ? v.height ?? 0 : v.width!,
      height: turned ? v.width! : v.height ?? 0,
      rotation,
      fps: avg ?? nominal,
      // Nominal (r_frame_rate: the finest common rate) against the average: a phone that drops to
      // 15 fps in the dark, or a screen recording, averages well below its nominal rate.
      variableFrameRate: nominal !== null && avg !== null && Math.abs(nominal - avg) / nominal > 0.02,
      frames,
      pixelFormat: v.pix_fmt ?? null,
    };
  }
  const date = parseVideoDate(tags['com.apple.quicktime.creationdate']) ?? parseVideoDate(tags.creation_time) ?? parseVideoDate(vTags.creation_time);
  const captureFps = Number(tags['com.android.capture.fps']);
  return {
    container: raw.format?.format_name ?? 'unknown',
    durationS: Number.isFinite(durationS) ? durationS : 0,
    video,
    audioCodec: a?.codec_name ?? null,
    createdAtMs: date?.ms ?? null,
    createdAtOffsetMin: date?.offsetMin ?? null,
    location: parseIso6709(tags['com.apple.quicktime.location.iso6709']) ?? parseIso6709(tags.location) ?? parseIso6709(tags['location-eng']),
    make: tags['com.apple.quicktime.make'] ?? tags.make ?? tags['com.android.manufacturer'] ?? null,
    model: tags['com.apple.quicktime.model'] ?? tags.model ?? tags['com.android.model'] ?? null,
    contentIdentifier: tags['com.apple.quicktime.content.identifier'] ?? null,
    captureFps: Number.isFinite(captureFps) && captureFps > 0 && (video?.fps === null || Math.abs(captureFps - (video?.fps ?? 0)) > 1) ? captureFps : null,
  };
}

/** The containers the app indexes (ffmpeg demuxer names); anything else is refused unread. */
export const ALLOWED_DEMUXERS = 'mov,matroska,webm,avi';

/**
 * Input options for every run: local files only (a playlist named .mp4 must not make the decoder
 * fetch URLs or open other files) and only the demuxers we index.
 */
export function safeInputArgs(file: string): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', ALLOWED_DEMUXERS, '-i', `file:${file}`];
}

export interface ProbeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Probe a file. Throws VideoError: empty-file, not-a-video (with a guess at what it is),
 * truncated, audio-only, unsupported-codec, timeout, decoder-missing, unreadable.
 */
export async function probeVideo(file: string, opts: ProbeOptions = {}): Promise<VideoProbe> {
  let header: Buffer;
  let size: number;
  try {
    const fh = await fs.open(file, 'r');
    try {
      size = (await fh.stat()).size;
      header = Buffer.alloc(Math.min(64, size));
      await fh.read(header, 0, header.length, 0);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new VideoError('unreadable', `the video could not be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  if (size === 0) throw new VideoError('empty-file', 'the video is an empty file (0 bytes)');
  // An image first: HEIC and AVIF are ISO-BMFF files too, and a photo named .mp4 is not a video.
  const image = sniffFormat(header);
  if (image !== 'unknown') throw new VideoError('not-a-video', `the file is not a video: it is a ${image.toUpperCase()} image (${formatSize(size)})`);
  if (!sniffVideoContainer(header)) throw new VideoError('not-a-video', `the file is not a video: it ${describeUnknownContent(header, size)}`);
  const tools = decoderTools();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let json: Buffer;
  try {
    json = await runToCompletion(
      'ffprobe',
      tools.ffprobe,
      ['-v', 'error', '-hide_banner', '-print_format', 'json', '-show_format', '-show_streams', ...safeInputArgs(file)],
      { stallMs: timeoutMs, totalMs: timeoutMs, signal: opts.signal, maxBytes: 4 * 1024 * 1024 },
    );
  } catch (err) {
    throw classifyToolError(err, file);
  }
  const probe = parseProbe(JSON.parse(json.toString('utf8')) as RawProbe);
  if (!probe.video) {
    throw probe.audioCodec
      ? new VideoError('audio-only', `the file holds only sound (${probe.audioCodec}, ${formatSize(size)}), no picture`)
      : new VideoError('not-a-video', `the file has no video stream (${probe.container}, ${formatSize(size)})`);
  }
  // No duration is not damage: a WebM recorded live (MediaRecorder, OBS to a pipe) never gets one
  // written. durationS stays 0 ("unknown"); the frames still come, and readVideo reports the last.
  return probe;
}
