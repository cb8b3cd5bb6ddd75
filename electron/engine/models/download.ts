/**
 * Get a catalogue model onto disk: check free space, fetch every file of the chosen precision
 * (sources in order, resuming interrupted files), verify, write manifest.json, and only then
 * rename the finished directory to `<modelsDir>/<id>` — the engine never sees half a model.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  estimateBytes,
  getEntry,
  loadCatalogue,
  manifestForVariant,
  variantFor,
  type Catalogue,
  type CatalogueEntry,
  type DownloadFile,
  type DownloadVariant,
  type Precision,
} from './catalogue.ts';
import { hostOf, isFatal, isRetryable, ModelError, type SourceAttempt } from './errors.ts';
import { resolveFetch, type FetchLike } from './fetch.ts';
import type { DownloadNotice } from './download-notices.ts';
import { acquireLock } from './lock.ts';
import { describeSource, fileUrl, SOURCES_ENV, type ModelSource } from './sources.ts';
import { removePart, transferFile } from './transfer.ts';
import { parseManifest, type ModelManifest } from '../ml/manifest.ts';

export interface DownloadProgress {
  id: string;
  precision: Precision;
  file: string;
  fileIndex: number;
  fileCount: number;
  source: string;
  /** Bytes of the whole model on disk so far (resumed bytes included). */
  bytes: number;
  /** Whole-model size: server sizes where known, else the catalogue's. */
  total: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  etaSeconds: number | null;
}

export interface StatFsLike {
  bavail: number | bigint;
  bsize: number | bigint;
}

export interface DownloadOptions {
  id: string;
  precision: Precision;
  /** Tried in order; see sources.ts. */
  sources: readonly ModelSource[];
  modelsDir: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  fetchImpl?: FetchLike;
  catalogue?: Catalogue;
  /** The manifest written next to the graphs; defaults to the shipped manifest with this variant's files. */
  manifestFor?: (entry: CatalogueEntry, variant: DownloadVariant) => ModelManifest;
  /** Opens the graphs and runs a test encode before the model becomes visible (the engine's hook). */
  validate?: (modelDir: string) => Promise<unknown>;
  /** Abort a request when the server is silent this long (default 30 s). */
  idleTimeoutMs?: number;
  /** Attempts per source per file; later attempts resume (default 3). */
  attemptsPerSource?: number;
  statfs?: (dir: string) => Promise<StatFsLike>;
  /** What happens besides progress: resumes, retries, source fallbacks, the proxy in use (download-notices.ts). */
  onNotice?: (notice: DownloadNotice) => void;
}

export interface InstalledFile {
  name: string;
  bytes: number;
  sha256: string;
  url: string;
}

export interface DownloadResult {
  id: string;
  precision: Precision;
  dir: string;
  alreadyInstalled: boolean;
  files: InstalledFile[];
}

/** Headroom beyond the files themselves: the manifest, filesystem slack, other writers. */
const SPACE_MARGIN_BYTES = 64 * 1024 * 1024;

export function partialDirFor(modelsDir: string, id: string, precision: string): string {
  return path.join(modelsDir, '.partial', `${id}-${precision}`);
}

const onDisk = (file: string): number => (fs.existsSync(file) ? fs.statSync(file).size : 0);

async function checkFreeSpace(dir: string, needed: number, statfs: (d: string) => Promise<StatFsLike>): Promise<void> {
  const st = await statfs(dir);
  const free = Number(st.bavail) * Number(st.bsize);
  if (free < needed + SPACE_MARGIN_BYTES) {
    const gb = (n: number): string => `${(n / 1e9).toFixed(2)} GB`;
    throw new ModelError('DISK_SPACE', `not enough free disk space in ${dir}: need about ${gb(needed + SPACE_MARGIN_BYTES)}, have ${gb(free)}`, {
      params: { dir, need: needed + SPACE_MARGIN_BYTES, have: free },
    });
  }
}

/** Leave no empty staging directories behind after a failure that kept no data. */
function removeIfEmpty(partialDir: string): void {
  for (const dir of [partialDir, path.dirname(partialDir)]) {
    try {
      fs.rmdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return; // not empty: resumable data
    }
  }
}

/** Whole-model progress with a sliding-window rate; a plain average would hide a stall for minutes. */
class ProgressTracker {
  private samples: Array<[number, number]> = [];
  private lastEmit = 0;
  constructor(
    private readonly sizes: Map<string, number>,
    private readonly base: Omit<DownloadProgress, 'file' | 'fileIndex' | 'source' | 'bytes' | 'total' | 'rate' | 'etaSeconds'>,
    private readonly onProgress?: (p: DownloadProgress) => void,
  ) {}

  report(at: { file: string; fileIndex: number; source: string; bytes: number }, force = false): void {
    const now = Date.now();
    this.samples.push([now, at.bytes]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 5000) this.samples.shift();
    if (!this.onProgress || (!force && now - this.lastEmit < 100)) return;
    this.lastEmit = now;
    const [t0, b0] = this.samples[0];
    const rate = now > t0 ? ((at.bytes - b0) * 1000) / (now - t0) : 0;
    const total = [...this.sizes.values()].reduce((a, b) => a + b, 0);
    this.onProgress({ ...this.base, ...at, total, rate, etaSeconds: rate > 0 ? Math.max(0, total - at.bytes) / rate : null });
  }
}

interface FileJob {
  file: DownloadFile;
  index: number;
  dest: string;
  /** Bytes of the files before this one. */
  before: number;
}

/** One file: every usable source in order, a few resuming attempts each. */
async function fetchFromSources(
  job: FileJob,
  ctx: { entry: CatalogueEntry; variant: DownloadVariant; opts: DownloadOptions; fetch: FetchLike; sizes: Map<string, number>; progress: ProgressTracker },
): Promise<InstalledFile> {
  const { entry, variant, opts } = ctx;
  const plain = { modelId: entry.id, precision: variant.precision };
  const usable = opts.sources.flatMap((source) => {
    const located = fileUrl(source, variant.mirrors, job.file.name, plain);
    return located ? [{ source, url: located.url }] : [];
  });
  const attemptsPerSource = Math.max(1, opts.attemptsPerSource ?? 3);
  const attempts: SourceAttempt[] = [];

  for (const [i, { source, url }] of usable.entries()) {
    const at = (bytes: number): { file: string; fileIndex: number; source: string; bytes: number } => ({
      file: job.file.name,
      fileIndex: job.index,
      source: source.name,
      bytes: job.before + bytes,
    });
    for (let attempt = 1; attempt <= attemptsPerSource; attempt++) {
      try {
        const r = await transferFile({
          url,
          dest: job.dest,
          expected: { bytes: job.file.bytes, approxBytes: job.file.approxBytes, sha256: job.file.sha256 },
          fetch: ctx.fetch,
          signal: opts.signal,
          idleTimeoutMs: opts.idleTimeoutMs ?? 30_000,
          onBytes: (received, fileTotal) => {
            if (fileTotal !== null) ctx.sizes.set(job.file.name, fileTotal);
            ctx.progress.report(at(received));
          },
        });
        if (r.resumedFrom > 0) opts.onNotice?.({ kind: 'resumed', file: job.file.name, bytes: r.resumedFrom, source: source.name });
        ctx.sizes.set(job.file.name, r.bytes);
        ctx.progress.report(at(r.bytes), true);
        return { name: job.file.name, bytes: r.bytes, sha256: r.sha256, url };
      } catch (err) {
        const e = err instanceof ModelError ? err : new ModelError('NETWORK', String(err), { cause: err, params: { host: hostOf(url), bytes: 0, reason: 'unknown' } });
        if (isFatal(e.code)) throw e;
        if (isRetryable(e.code) && attempt < attemptsPerSource) {
          opts.onNotice?.({ kind: 'retrying', file: job.file.name, code: e.code, params: e.params, detail: e.message, attempt: attempt + 1, of: attemptsPerSource });
          continue;
        }
        attempts.push({ source: describeSource(source), url, code: e.code, message: e.message, params: { ...e.params, source: source.name } });
        if (i < usable.length - 1) {
          opts.onNotice?.({ kind: 'next-source', file: job.file.name, source: source.name, code: e.code, params: e.params, detail: e.message, next: usable[i + 1].source.name });
        }
        break;
      }
    }
  }
  const last = attempts[attempts.length - 1];
  const kept = fs.existsSync(job.dest) ? `\nPartial data kept in ${path.dirname(job.dest)}; run the same command again to resume.` : '';
  throw new ModelError(
    last?.code ?? 'NO_SOURCE',
    `could not download ${job.file.name} of ${entry.id} from any source:\n${attempts.map((a) => `  - ${a.source}: ${a.message}`).join('\n')}${kept}`,
    { attempts, params: { ...(last?.params ?? {}), model: entry.id, file: job.file.name, resumable: fs.existsSync(job.dest) ? 1 : 0 } },
  );
}

function resolveVariant(opts: DownloadOptions, catalogue: Catalogue): { entry: CatalogueEntry; variant: DownloadVariant } {
  const entry = getEntry(opts.id, catalogue);
  if (!entry) {
    throw new ModelError('UNKNOWN_MODEL', `unknown model "${opts.id}"; known: ${catalogue.models.map((m) => m.id).join(', ')}`, { params: { model: opts.id } });
  }
  const variant = variantFor(entry, opts.precision);
  if (!variant) {
    const hosted = entry.downloads.map((d) => d.precision);
    throw new ModelError(
      'NO_HOSTED_ONNX',
      `no hosted ONNX of ${entry.id} in ${opts.precision}` +
        (hosted.length ? ` (downloadable: ${hosted.join(', ')})` : ' (none of its precisions is hosted)') +
        `.\n${entry.exportRoute.summary}\n  ${entry.exportRoute.steps.join('\n  ')}`,
      { params: { model: entry.id, precision: opts.precision, hosted: hosted.join(', ') } },
    );
  }
  if (opts.sources.length === 0) throw new ModelError('NO_SOURCE', 'no download source configured', { params: { model: entry.id, sources: '' } });
  const plain = { modelId: entry.id, precision: variant.precision };
  for (const f of variant.files) {
    if (!opts.sources.some((s) => fileUrl(s, variant.mirrors, f.name, plain))) {
      const where = variant.mirrors.map((m) => `${m.hub} (${m.repo})`).join(', ');
      throw new ModelError(
        'NO_SOURCE',
        `none of the configured sources (${opts.sources.map((s) => s.name).join(', ')}) hosts ${f.name}; it is hosted on ${where}. Add that source with --source or ${SOURCES_ENV}.`,
        { params: { model: entry.id, file: f.name, sources: opts.sources.map((s) => s.name).join(', '), hubs: variant.mirrors.map((m) => m.hub).join(', ') } },
      );
    }
  }
  return { entry, variant };
}

export async function downloadModel(opts: DownloadOptions): Promise<DownloadResult> {
  const { entry, variant } = resolveVariant(opts, opts.catalogue ?? loadCatalogue());
  const modelsDir = path.resolve(opts.modelsDir);
  const target = path.join(modelsDir, entry.id);
  if (fs.existsSync(path.join(target, 'manifest.json'))) {
    return { id: entry.id, precision: variant.precision, dir: target, alreadyInstalled: true, files: [] };
  }

  const partialDir = partialDirFor(modelsDir, entry.id, variant.precision);
  const doneFile = (name: string): string => path.join(partialDir, name);
  const partFile = (name: string): string => path.join(partialDir, `${name}.part`);

  // Expected size per file: exact, else displayed, else an even share of the parameter estimate.
  const share = estimateBytes(entry, variant.precision, variant) / variant.files.length;
  const sizes = new Map(variant.files.map((f) => [f.name, f.bytes ?? f.approxBytes ?? share]));
  const have = variant.files.reduce((sum, f) => sum + onDisk(doneFile(f.name)) + onDisk(partFile(f.name)), 0);
  const wanted = [...sizes.values()].reduce((a, b) => a + b, 0);
  await fs.promises.mkdir(modelsDir, { recursive: true });
  await checkFreeSpace(modelsDir, Math.max(0, wanted - have), opts.statfs ?? ((d) => fs.promises.statfs(d)));
  await fs.promises.mkdir(partialDir, { recursive: true });

  const release = acquireLock(partialDir, `${entry.id} (${variant.precision})`);
  try {
    const { fetch, via, proxyIgnored } = await resolveFetch(opts.fetchImpl);
    if (via !== 'global' && via !== 'injected') opts.onNotice?.({ kind: 'proxy', via });
    if (proxyIgnored) opts.onNotice?.({ kind: 'proxy-ignored' });
    const progress = new ProgressTracker(sizes, { id: entry.id, precision: variant.precision, fileCount: variant.files.length }, opts.onProgress);

    const installed: InstalledFile[] = [];
    for (const [index, file] of variant.files.entries()) {
      const done = doneFile(file.name);
      const record = `${done}.sha256`;
      if (fs.existsSync(done) && fs.existsSync(record)) {
        // Verified in an earlier run that stopped on a later file.
        sizes.set(file.name, onDisk(done));
        installed.push(JSON.parse(fs.readFileSync(record, 'utf8')) as InstalledFile);
        continue;
      }
      const before = variant.files.slice(0, index).reduce((sum, f) => sum + (sizes.get(f.name) ?? 0), 0);
      const result = await fetchFromSources({ file, index, dest: partFile(file.name), before }, { entry, variant, opts, fetch, sizes, progress });
      await fs.promises.rename(partFile(file.name), done);
      removePart(partFile(file.name)); // the sidecar
      await fs.promises.writeFile(record, JSON.stringify(result));
      installed.push(result);
    }

    // Everything verified: describe the model, let the engine test it, then make it visible at once.
    const manifest = parseManifest((opts.manifestFor ?? manifestForVariant)(entry, variant), `generated manifest for ${entry.id}`);
    await fs.promises.writeFile(path.join(partialDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const provenance = { id: entry.id, precision: variant.precision, installedAt: new Date().toISOString(), files: installed };
    await fs.promises.writeFile(path.join(partialDir, 'install.json'), `${JSON.stringify(provenance, null, 2)}\n`);
    for (const f of variant.files) fs.rmSync(`${doneFile(f.name)}.sha256`, { force: true });
    if (opts.validate) {
      try {
        await opts.validate(partialDir);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new ModelError('INVALID_MODEL', `downloaded ${entry.id} but it failed the test encode: ${why}. The files are kept in ${partialDir}.`, {
          cause: err,
          params: { model: entry.id, dir: partialDir },
        });
      }
    }
    if (fs.existsSync(target)) {
      throw new ModelError('ALREADY_INSTALLED', `${target} appeared while downloading; remove it first (models remove ${entry.id})`, { params: { model: entry.id, dir: target } });
    }
    release();
    await fs.promises.rename(partialDir, target);
    return { id: entry.id, precision: variant.precision, dir: target, alreadyInstalled: false, files: installed };
  } finally {
    release();
    removeIfEmpty(partialDir);
  }
}

/** Forget an interrupted download (the CLI's --restart). */
export function discardPartial(modelsDir: string, id: string, precision: string): void {
  const dir = partialDirFor(path.resolve(modelsDir), id, precision);
  if (!fs.existsSync(dir)) return;
  acquireLock(dir, `${id} (${precision})`); // refuses while a download is writing there
  fs.rmSync(dir, { recursive: true, force: true });
  removeIfEmpty(dir);
}
