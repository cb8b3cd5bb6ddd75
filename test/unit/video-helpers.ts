/**
 * Shared by the video tests: processes this test process has started (read from /proc, so counting
 * starts no process of its own), the model spec, and colour/tensor helpers.
 */
import fs from 'node:fs';
import type { PreprocessSpec } from '../../electron/engine/media/decode.ts';
import { tensorStats } from '../../electron/engine/media/stats.ts';

export const SPEC: PreprocessSpec = {
  resolution: 224,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
  resize: 'bicubic',
};

interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  comm: string;
}

function procs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const [, ppid, pgrp] = stat.slice(close + 2).split(' ');
      out.push({ pid: Number(d), ppid: Number(ppid), pgrp: Number(pgrp), comm });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Names of this process's live children (zombies excluded: they hold no memory and are being reaped). */
export function childProcesses(): string[] {
  return procs()
    .filter((p) => p.ppid === process.pid)
    .filter((p) => {
      try {
        return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    })
    .map((p) => `${p.comm}(${p.pid})`);
}

/** Processes still in a process group (what killTree must have emptied). */
export function groupMembers(pgrp: number): number[] {
  return procs().filter((p) => p.pgrp === pgrp).map((p) => p.pid);
}

/** Mean 0–255 colour of a normalised CHW tensor (undoing the normalisation). */
export function meanColour(tensor: Float32Array, spec = SPEC): [number, number, number] {
  const s = tensorStats(tensor, spec.resolution);
  return [0, 1, 2].map((c) => Math.round((s.mean[c] * spec.std[c] + spec.mean[c]) * 255)) as [number, number, number];
}

/** Largest difference of 8×8 pools and of channel means between two tensors (the photo tests' measures). */
export function tensorDistance(a: Float32Array, b: Float32Array, resolution = SPEC.resolution): { pool: number; mean: number; pixel: number } {
  const sa = tensorStats(a, resolution);
  const sb = tensorStats(b, resolution);
  const pa = sa.pool8x8.flat(2);
  const pb = sb.pool8x8.flat(2);
  let pool = 0;
  for (let i = 0; i < pa.length; i++) pool = Math.max(pool, Math.abs(pa[i] - pb[i]));
  let mean = 0;
  for (let c = 0; c < 3; c++) mean = Math.max(mean, Math.abs(sa.mean[c] - sb.mean[c]));
  let pixel = 0;
  for (let i = 0; i < a.length; i++) pixel = Math.max(pixel, Math.abs(a[i] - b[i]));
  return { pool, mean, pixel };
}

/** Waits until `pred` holds (polling; never a fixed sleep standing in for a state). */
export async function until(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
