/**
 * Positioned reads issued from several threads at once, for the synchronous search path.
 *
 * Why: a page re-ranks ~800 candidates from `vectors.f32`, and a snapshot is ~600 MB at a million
 * photos. From the page cache a read costs ~1.5 µs; once the kernel has evicted the file (a laptop
 * that needed its memory elsewhere, any start after a reboot) each one is a disk round trip —
 * ~0.4 ms on the development VM's virtual disk, one after another when issued from one thread
 * (~300 ms a page). Disks, virtual and solid-state alike, answer many requests at once about as
 * fast as one, so the same reads issued 8–16 at a time take a tenth of that.
 *
 * How: a few worker threads (a dozen lines of plain JavaScript, evaluated, so nothing to bundle)
 * sleep on an Atomics.wait. `read()` lists the ranges in a shared control block, wakes them, reads
 * too, and waits (Atomics.wait is allowed on Node's main thread) until every range is in place;
 * destinations are SharedArrayBuffers (the index's shared WebAssembly memory), written in place.
 * The caller stays synchronous, like every other step of a page. Where threads cannot start, the
 * reads run on the calling thread, as before.
 */
import fs from 'node:fs';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

/**
 * Control block (Int32Array): generation, next job, jobs done, job count, fd, first error (job
 * index + 1). NEXT carries the generation in its high 16 bits and the next job in its low 16, and
 * is claimed by compare-and-swap, so a thread still finishing one call can never take a job of the
 * next (its generation no longer matches).
 */
const GEN = 0;
const NEXT = 1;
const DONE = 2;
const COUNT = 3;
const FD = 4;
const ERR = 5;
const CTRL_INTS = 8;
/** Ranges per call; larger requests are split. */
export const MAX_RANGES = 4096;

const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const fs = require('node:fs');
const { ctrl, jobs, port } = workerData;
let gen = 0;
let dest = null;
for (;;) {
  Atomics.wait(ctrl, ${GEN}, gen);
  gen = Atomics.load(ctrl, ${GEN});
  if (gen < 0) break;
  for (let m; (m = receiveMessageOnPort(port)); ) dest = new Uint8Array(m.message);
  const count = Atomics.load(ctrl, ${COUNT});
  const fd = Atomics.load(ctrl, ${FD});
  const tag = (gen & 0x7fff) << 16;
  for (;;) {
    const cur = Atomics.load(ctrl, ${NEXT});
    const i = cur & 0xffff;
    if ((cur & ~0xffff) !== tag || i >= count) break;
    if (Atomics.compareExchange(ctrl, ${NEXT}, cur, cur + 1) !== cur) continue;
    const pos = jobs[i * 3], len = jobs[i * 3 + 1], off = jobs[i * 3 + 2];
    let got = 0;
    try { got = fs.readSync(fd, dest, off, len, pos); } catch { got = -1; }
    if (got !== len) Atomics.compareExchange(ctrl, ${ERR}, 0, i + 1);
    if (Atomics.add(ctrl, ${DONE}, 1) + 1 === count) Atomics.notify(ctrl, ${DONE});
  }
}
`;

export class ParallelReader {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(CTRL_INTS * 4));
  private readonly jobs = new Float64Array(new SharedArrayBuffer(MAX_RANGES * 3 * 8));
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private dest: SharedArrayBuffer | null = null;
  private gen = 0;
  private closed = false;
  private readonly online: Promise<unknown>[] = [];

  /** `threads` helpers besides the calling thread; 0 reads on the calling thread only. */
  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      try {
        const { port1, port2 } = new MessageChannel();
        const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { ctrl: this.ctrl, jobs: this.jobs, port: port2 }, transferList: [port2] });
        // Kept referenced until it runs (ready() may be awaited with nothing else keeping the
        // process alive), then never holding a process open.
        this.online.push(
          new Promise((resolve) => {
            const started = (): void => {
              w.unref();
              resolve(undefined);
            };
            w.once('online', started);
            w.once('error', started);
            w.once('exit', started);
          }),
        );
        port1.unref();
        this.workers.push(w);
        this.ports.push(port1);
      } catch {
        break; // no threads here: read on the calling thread
      }
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Resolves once every helper thread has started (or failed to): reads from then on get all of them. */
  async ready(): Promise<void> {
    await Promise.all(this.online);
  }

  /**
   * Reads `count` ranges of fd — positions[i], lengths[i] bytes into `dest` at offsets[i] —
   * and returns when all are there. Throws if a range cannot be read whole.
   */
  read(fd: number, dest: SharedArrayBuffer, positions: ArrayLike<number>, lengths: ArrayLike<number>, offsets: ArrayLike<number>, count: number): void {
    for (let start = 0; start < count; start += MAX_RANGES) {
      const n = Math.min(MAX_RANGES, count - start);
      for (let i = 0; i < n; i++) {
        this.jobs[i * 3] = positions[start + i]!;
        this.jobs[i * 3 + 1] = lengths[start + i]!;
        this.jobs[i * 3 + 2] = offsets[start + i]!;
      }
      this.run(fd, dest, n);
    }
  }

  private run(fd: number, dest: SharedArrayBuffer, count: number): void {
    if (this.closed) throw new Error('parallel reader is closed');
    const c = this.ctrl;
    this.gen = (this.gen + 1) & 0x7fff;
    const tag = this.gen << 16;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, ERR, 0);
    Atomics.store(c, COUNT, count);
    Atomics.store(c, FD, fd);
    Atomics.store(c, NEXT, tag);
    // One or two ranges are read here without waking anyone: from the page cache they take
    // microseconds, less than waking a thread.
    if (count > 2 && this.workers.length > 0) {
      if (this.dest !== dest) {
        for (const p of this.ports) p.postMessage(dest);
        this.dest = dest;
      }
      Atomics.store(c, GEN, this.gen);
      Atomics.notify(c, GEN);
    }
    const view = new Uint8Array(dest);
    for (;;) {
      const cur = Atomics.load(c, NEXT);
      const i = cur & 0xffff;
      if (i >= count) break;
      if (Atomics.compareExchange(c, NEXT, cur, cur + 1) !== cur) continue;
      const len = this.jobs[i * 3 + 1]!;
      let got = 0;
      try {
        got = fs.readSync(fd, view, this.jobs[i * 3 + 2]!, len, this.jobs[i * 3]!);
      } catch {
        got = -1;
      }
      if (got !== len) Atomics.compareExchange(c, ERR, 0, i + 1);
      Atomics.add(c, DONE, 1);
    }
    for (let done; (done = Atomics.load(c, DONE)) < count; ) Atomics.wait(c, DONE, done, 1000);
    const err = Atomics.load(c, ERR);
    if (err) throw new Error(`could not read ${this.jobs[(err - 1) * 3 + 1]} bytes at ${this.jobs[(err - 1) * 3]}`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, GEN, -1);
    Atomics.notify(this.ctrl, GEN);
    for (const p of this.ports) p.close();
    for (const w of this.workers) void w.terminate();
  }
}

/** Helper threads of the process's reader: with the calling thread, 9 reads in flight. */
export const READER_THREADS = 8;

const shared = new Map<number, ParallelReader>();

/**
 * One reader per thread count for the whole process, started on first use (each helper is a
 * small Node worker: ~8 MB and ~30 ms of CPU to start) and never stopped (its threads are unref'd).
 */
export function sharedParallelReader(threads = READER_THREADS): ParallelReader {
  let r = shared.get(threads);
  if (!r) shared.set(threads, (r = new ParallelReader(threads)));
  return r;
}
