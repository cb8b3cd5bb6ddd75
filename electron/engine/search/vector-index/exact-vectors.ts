/**
 * The float32 vectors the index re-ranks with, in a file beside its snapshot: row `id` at byte
 * id × dim × 4 (photo ids are SQLite rowids, so the file is about as long as the vec0 table's own
 * vectors; ids never used are holes). One positioned read per candidate (~1.5 µs from the page
 * cache) where sqlite-vec's point lookup costs 15–30 µs, which is what makes an exact re-rank of
 * every page affordable.
 *
 * It is a cache of the database's vectors, never the source of truth: every write comes from a
 * committed row, and the snapshot's change sequence (persist.ts) decides whether it can be trusted.
 */
import fs from 'node:fs';
import type { ParallelReader } from './parallel-reader.ts';

/** Reads slower than this on average (µs) mean the file is not in the page cache. */
const SLOW_READ_US = 60;

export class ExactVectors {
  private fd: number;
  /**
   * Where a page's reads can come from several threads (set by the index for large libraries).
   * The threads are started in the background when such an index opens (prestart), or else once
   * reads turn out to come from the disk.
   */
  parallel: (() => ParallelReader) | null = null;
  private reader: ParallelReader | null = null;
  /** Set once prestart() began starting the threads. */
  private started: Promise<void> | null = null;

  /**
   * Starts the reader threads on the next turn of the event loop, not on the first slow page: a
   * search after a reboot, or after other programs took the memory, then finds them ready. Started
   * on that page instead, they came too late for it: its ~740 reads went one after another (136 ms
   * at a million photos against 28–45 ms for the pages after it). They cost ~8 MB and ~30 ms of
   * CPU each, once per process, spent while the library opens.
   */
  prestart(): void {
    if (this.reader || this.started || !this.parallel) return;
    const start = this.parallel;
    this.started = new Promise((resolve) =>
      setImmediate(() => {
        if (this.fd >= 0) this.reader = start();
        void (this.reader?.ready() ?? Promise.resolve()).then(resolve);
      }),
    );
  }

  /** Resolves when the threads prestart() began are running (at once when there are none). */
  async whenReady(): Promise<void> {
    await this.started;
  }

  /** Reads from `reader`'s threads from now on (what slow reads lead to; tests set it directly). */
  useReader(reader: ParallelReader | null): void {
    this.reader = reader;
  }
  private positions = new Float64Array(0);
  private lengths = new Float64Array(0);
  private offsets = new Float64Array(0);
  private readonly rowBytes: number;
  private readonly buf: Buffer;
  private readonly view: Float32Array;

  private constructor(
    readonly file: string,
    readonly dim: number,
    fd: number,
  ) {
    this.fd = fd;
    this.rowBytes = dim * 4;
    this.buf = Buffer.allocUnsafeSlow(this.rowBytes);
    this.view = new Float32Array(this.buf.buffer, this.buf.byteOffset, dim);
  }

  /** Opens (creating if missing) the file; truncate empties it first (a rebuild). */
  static open(file: string, dim: number, opts: { truncate?: boolean } = {}): ExactVectors {
    const fd = fs.openSync(file, opts.truncate ? 'w+' : fs.existsSync(file) ? 'r+' : 'w+');
    return new ExactVectors(file, dim, fd);
  }

  write(id: number, vec: Float32Array): void {
    const bytes = Buffer.from(vec.buffer, vec.byteOffset, this.rowBytes);
    fs.writeSync(this.fd, bytes, 0, this.rowBytes, id * this.rowBytes);
  }

  /** Rows with consecutive ids firstId.. in one write. */
  writeRun(firstId: number, vectors: Float32Array): void {
    const bytes = Buffer.from(vectors.buffer, vectors.byteOffset, vectors.length * 4);
    fs.writeSync(this.fd, bytes, 0, bytes.length, firstId * this.rowBytes);
  }

  /** The vector of `id`, in a view reused by the next read (copy it to keep it). */
  read(id: number): Float32Array {
    const got = fs.readSync(this.fd, this.buf, 0, this.rowBytes, id * this.rowBytes);
    if (got !== this.rowBytes) throw new Error(`${this.file}: no vector for photo ${id}`);
    return this.view;
  }

  /** `count` rows with consecutive ids from `firstId`, in one read (a video's frames). */
  readRun(firstId: number, count: number): Float32Array {
    const out = Buffer.allocUnsafe(count * this.rowBytes);
    const got = fs.readSync(this.fd, out, 0, out.length, firstId * this.rowBytes);
    if (got !== out.length) throw new Error(`${this.file}: no vectors for rows ${firstId}–${firstId + count - 1}`);
    return new Float32Array(out.buffer, out.byteOffset, count * this.dim);
  }

  /** Reads the vector of `id` into `into` at byte `offset` (a view of the kernel's memory). */
  readInto(id: number, into: Buffer, offset: number): void {
    const got = fs.readSync(this.fd, into, offset, this.rowBytes, id * this.rowBytes);
    if (got !== this.rowBytes) throw new Error(`${this.file}: no vector for photo ${id}`);
  }

  /**
   * The vectors of ids[0..count) into `dest` (shared memory) at destOffset, destOffset + row, …:
   * issued all at once from the reader's threads when there is one, else one after another.
   */
  readRows(ids: ArrayLike<number>, count: number, dest: SharedArrayBuffer, destOffset: number): void {
    const row = this.rowBytes;
    if (!this.reader || this.reader.threads === 0 || count <= 2) {
      const view = Buffer.from(dest, destOffset, count * row);
      const t0 = performance.now();
      for (let k = 0; k < count; k++) this.readInto(ids[k]!, view, k * row);
      // Started after this page, not during it (prestart waits a turn): a thread's start costs CPU the page needs.
      if (count >= 16 && ((performance.now() - t0) * 1000) / count > SLOW_READ_US) this.prestart();
      return;
    }
    if (this.positions.length < count) {
      this.positions = new Float64Array(count);
      this.lengths = new Float64Array(count).fill(row);
      this.offsets = new Float64Array(count);
    }
    for (let k = 0; k < count; k++) {
      this.positions[k] = ids[k]! * row;
      this.offsets[k] = destOffset + k * row;
    }
    try {
      this.reader.read(this.fd, dest, this.positions, this.lengths, this.offsets, count);
    } catch (err) {
      throw new Error(`${this.file}: a vector could not be read (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  sync(): void {
    fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * sqlite-vec's cosine distance, step for step: float32 accumulation of the dot product and both
 * squared norms, then 1 - dot / (sqrt(a) * sqrt(b)) in double, returned as float32. Matching it
 * bit for bit keeps scores and order identical between the index and the SQL fallback, so a
 * cursor made by one continues correctly on the other.
 */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  const f = Math.fround;
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot = f(dot + f(x * y));
    aa = f(aa + f(x * x));
    bb = f(bb + f(y * y));
  }
  return f(1 - dot / (Math.sqrt(aa) * Math.sqrt(bb)));
}
