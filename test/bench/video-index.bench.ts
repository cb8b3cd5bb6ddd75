/**
 * BENCH_ONLY=video-index: videos indexed end to end as the app does it (the engine, the videos
 * pass, the bench ViT-B/16 fp32 and int8 on the CPU with 2 threads), and what a person sees while
 * photos and videos arrive together. Ratios in one run; the machine is shared, so every figure
 * comes with its CPU time (this process incl. the encoder's worker threads, plus the decoder
 * processes read from /proc) and an estimate for an otherwise idle 2-core machine (CPU ÷ 2).
 *
 *   endToEnd   K distinct 1-minute 1080p30 H.264 clips (BENCH_VIDEO_CLIPS, default 2) through
 *              index + the videos pass: video seconds per wall / CPU second, CPU per clip (decode,
 *              frame pictures, encoder, store), peak memory (this process's growth, the
 *              decoder's VmHWM), and the estimate for a library of 100 such clips
 *   arrival    24 photos alone; the same photos with a 1-minute clip beside them (background
 *              passes, as the app runs); and photos arriving while the clip is being read: when
 *              the photos are searchable, when the video is (the pass-vs-pipeline question)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../electron/engine/engine.ts';
import { liveToolProcesses } from '../../electron/engine/video/ffmpeg.ts';
import { quantizeModelDir } from '../../electron/engine/ml/quantize/quantize-model.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { ensureSystemFfmpeg, makeClip, SYSTEM_FFMPEG } from '../../scripts/fixtures/video-clips.ts';

const r2 = (x: number): number => Math.round(x * 100) / 100;
const THREADS = 2;

function procField(pid: number | 'self', re: RegExp): number {
  try {
    return Number(re.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function cpuSeconds(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(x[11]) + Number(x[12])) / 100;
  } catch {
    return 0;
  }
}

/** Polls the decoder processes and this process while `fn` runs: CPU seconds and peak memory. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; wall: number; nodeCpu: number; decoderCpu: number; decoderPeakMiB: number; rssGrowthMiB: number }> {
  const decoders = new Map<number, number>();
  let decoderPeak = 0;
  const rss0 = procField('self', /VmRSS:\s+(\d+) kB/);
  let rssPeak = rss0;
  const poll = setInterval(() => {
    for (const pid of liveToolProcesses()) {
      decoders.set(pid, Math.max(decoders.get(pid) ?? 0, cpuSeconds(pid)));
      decoderPeak = Math.max(decoderPeak, procField(pid, /VmHWM:\s+(\d+) kB/));
    }
    rssPeak = Math.max(rssPeak, procField('self', /VmRSS:\s+(\d+) kB/));
  }, 20);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const value = await fn();
    const c = process.cpuUsage(c0);
    return {
      value,
      wall: (performance.now() - t0) / 1000,
      nodeCpu: (c.user + c.system) / 1e6,
      decoderCpu: [...decoders.values()].reduce((a, b) => a + b, 0),
      decoderPeakMiB: r2(decoderPeak / 1024),
      rssGrowthMiB: r2((rssPeak - rss0) / 1024),
    };
  } finally {
    clearInterval(poll);
  }
}

/** `k` clips with the same picture and different bytes (a remux with a comment): each is read, none is a copy. */
function distinctClips(src: string, dir: string, k: number, prefix: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (let i = 0; i < k; i++) {
    const f = path.join(dir, `${prefix}-${i}.mp4`);
    execFileSync(SYSTEM_FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-i', src, '-c', 'copy', '-metadata', `comment=bench ${prefix} ${i}`, f]);
    const old = Date.now() / 1000 - 3600;
    fs.utimesSync(f, old, old);
    out.push(f);
  }
  return out;
}

async function int8Of(modelDir: string, log: (m: string) => void): Promise<string> {
  const dir = `${modelDir.replace(/\/$/, '')}-int8`;
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    log(`video-index: quantizing ${modelDir} → ${dir} (once)…`);
    fs.rmSync(dir, { recursive: true, force: true });
    await quantizeModelDir(modelDir, dir);
  }
  return dir;
}

/**
 * Tags off: their one-time preparation per model (the tag prompts, minutes) runs before the videos
 * pass in the background (tags have priority 10, videos 15) and would be measured instead of
 * videos; OCR off (it runs after videos, on photos only) so the machine's time goes to what is measured.
 */
const open = (tmp: string, modelDir: string, passes: 'background' | 'on-demand') =>
  Engine.open({
    dbPath: path.join(tmp, 'db', 'library.db'),
    modelDir,
    session: { provider: 'cpu', threads: THREADS },
    passes,
    autoTag: false,
    ocrEnabled: () => false,
    logger: createLogger('bench', 'warn'),
  });

async function endToEnd(modelDir: string, clips: number, log: (m: string) => void): Promise<Record<string, unknown>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-video-'));
  const engine = await open(tmp, modelDir, 'on-demand');
  try {
    distinctClips(makeClip('1080p-60s.mp4'), path.join(tmp, 'videos'), clips, 'clip');
    await engine.model.warm('image');
    const scan = await measured(() => engine.indexFolders([path.join(tmp, 'videos')]));
    const pass = await measured(() => engine.passes.runAll({ only: ['videos'] }));
    const v = engine.library.videoCounts();
    if (v.indexed !== clips) throw new Error(`expected ${clips} videos indexed, got ${JSON.stringify(v)}`);
    const frames = engine.lib.db.sql.prepare('SELECT count(*) FROM video_frames').pluck().get() as number;
    const videoSeconds = 60 * clips;
    const cpu = pass.nodeCpu + pass.decoderCpu;
    const perClipCpu = cpu / clips;
    const out = {
      clips,
      clip: '1920×1080 H.264 High, 30 fps, keyframe every 1 s, 60 s',
      framesPerClip: frames / clips,
      scanAndHashSeconds: r2(scan.wall),
      wallSeconds: r2(pass.wall),
      loadAverage: os.loadavg().map(r2),
      videoSecondsPerWallSecond: r2(videoSeconds / pass.wall),
      cpuSeconds: { node: r2(pass.nodeCpu), decoder: r2(pass.decoderCpu), total: r2(cpu) },
      perClipCpuSeconds: r2(perClipCpu),
      videoSecondsPerCpuSecond: r2(60 / perClipCpu),
      idleTwoCoreEstimate: {
        perMinuteClipSeconds: r2(perClipCpu / THREADS),
        videoSecondsPerSecond: r2(60 / (perClipCpu / THREADS)),
        library100OneMinuteClipsMinutes: r2((100 * perClipCpu) / THREADS / 60),
      },
      peakMemory: { decoderVmHwmMiB: pass.decoderPeakMiB, engineRssGrowthMiB: pass.rssGrowthMiB, engineRssMiB: r2(procField('self', /VmRSS:\s+(\d+) kB/) / 1024) },
    };
    log(`video-index end to end (${path.basename(modelDir)}): ${JSON.stringify(out)}`);
    return out;
  } finally {
    await engine.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** When photos and a video arriving together become searchable (photos: indexFolders returns; the video: its status). */
async function arrival(modelDir: string, photos: string[], log: (m: string) => void): Promise<Record<string, unknown>> {
  const scenario = async (name: string, withVideo: 'none' | 'together' | 'photos-during-video'): Promise<Record<string, number>> => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-arrival-'));
    const engine = await open(tmp, modelDir, 'background');
    try {
      await engine.model.warm('image');
      const photoDir = path.join(tmp, 'photos');
      fs.mkdirSync(photoDir);
      // Distinct bytes per run (appended comment), so nothing is recognised as a copy across scenarios.
      photos.forEach((p, i) => fs.writeFileSync(path.join(photoDir, `p${i}.jpg`), Buffer.concat([fs.readFileSync(p), Buffer.from(`\n${name}`)])));
      if (withVideo !== 'none') distinctClips(makeClip('1080p-60s.mp4'), path.join(tmp, 'videos'), 1, name);
      const t0 = performance.now();
      const videoDone = new Promise<number>((resolve) => {
        if (withVideo === 'none') return resolve(0);
        const poll = setInterval(() => {
          if (engine.library.videoCounts().indexed === 1) {
            clearInterval(poll);
            resolve((performance.now() - t0) / 1000);
          }
        }, 100);
      });
      let photosS: number;
      if (withVideo === 'photos-during-video') {
        await engine.indexFolders([path.join(tmp, 'videos')]);
        // Photos arrive once the video is being read.
        while (!engine.passes.status().find((p) => p.name === 'videos')?.running) await new Promise((r) => setTimeout(r, 50));
        const tp = performance.now();
        await engine.indexFolders([photoDir]);
        photosS = (performance.now() - tp) / 1000;
      } else {
        await engine.indexFolders(withVideo === 'together' ? [photoDir, path.join(tmp, 'videos')] : [photoDir]);
        photosS = (performance.now() - t0) / 1000;
      }
      const videoS = await videoDone;
      const r = { photosSearchableSeconds: r2(photosS), videoSearchableSeconds: r2(videoS) };
      log(`video-index arrival ${name}: ${JSON.stringify(r)}`);
      return r;
    } finally {
      await engine.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  const alone = await scenario('photos-alone', 'none');
  const together = await scenario('together', 'together');
  const during = await scenario('photos-during-video', 'photos-during-video');
  return {
    photos: photos.length,
    photosAlone: alone,
    photosAndVideoTogether: together,
    photosArrivingWhileVideoIsRead: during,
    photoDelayRatio: { together: r2(together.photosSearchableSeconds! / alone.photosSearchableSeconds!), during: r2(during.photosSearchableSeconds! / alone.photosSearchableSeconds!) },
    loadAverage: os.loadavg().map(r2),
  };
}

export async function benchVideoIndex(opts: { modelDir: string; sharedPhotos: string; log: (m: string) => void }): Promise<Record<string, unknown>> {
  const ffmpeg = ensureSystemFfmpeg();
  if (!ffmpeg.ok) return { skipped: ffmpeg.reason };
  if (!fs.existsSync(path.join(opts.modelDir, 'manifest.json'))) return { skipped: 'no bench model (npm run models:bench)' };
  const clips = Number(process.env.BENCH_VIDEO_CLIPS ?? 2);
  // BENCH_VIDEO_PARTS=endToEnd,arrival (default both).
  const parts = new Set((process.env.BENCH_VIDEO_PARTS ?? 'endToEnd,arrival').split(','));
  const out: Record<string, unknown> = { threads: THREADS };
  if (parts.has('endToEnd')) {
    out.endToEndFp32 = await endToEnd(opts.modelDir, clips, opts.log);
    out.endToEndInt8 = await endToEnd(await int8Of(opts.modelDir, opts.log), clips, opts.log);
  }
  if (parts.has('arrival')) {
    const photos = fs.readdirSync(opts.sharedPhotos).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, 24).map((f) => path.join(opts.sharedPhotos, f));
    out.arrival = await arrival(opts.modelDir, photos, opts.log);
  }
  return out;
}
