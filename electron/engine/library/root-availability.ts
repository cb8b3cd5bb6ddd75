/**
 * Is a library folder there? A folder on an external drive that is unplugged, a network share
 * not mounted yet, a folder that cannot be read or does not answer is *offline*, not empty: its
 * photos keep their rows, vectors, tags and text, nothing under it is deleted, and when it comes
 * back nothing is read or encoded again (the same files have the same size, mtime and dev:ino).
 *
 * A folder is offline when
 * - it is missing (the drive's own folder went with the drive),
 * - it is not a folder any more, or cannot be listed (permissions, I/O errors),
 * - it does not answer in time (SHIGUANG_FOLDER_TIMEOUT, see fs-deadline.ts),
 * - or its mount changed: it lies on another device than when it was last seen (st.dev, recorded
 *   in the folders table), and none of a few of its known photos is there. That is what an
 *   unplugged USB drive, SD card or NAS share leaves: the mount point stays, empty, now on its
 *   parent's device; or another drive is mounted in its place. When the known photos *are* there
 *   (the same volume came back under a new device number — drives are numbered as they are
 *   plugged in), the folder is online and its photos' file identities follow the new number.
 *
 * Only the person removes a folder; a photo is deleted only when its own folder is online and
 * its file is gone (index/indexer.ts).
 */
import fs from 'node:fs';
import type { Library } from '../store/library.ts';
import type { KnownFile } from '../store/photo-identity.ts';
import type { Logger } from '../util/log.ts';
import { folderTimeoutMs, FolderTimeoutError, withDeadline } from './fs-deadline.ts';

export type OfflineReason = 'missing' | 'not-a-folder' | 'unreadable' | 'timeout' | 'mount-changed';

export type RootProbe =
  | { online: true; device: string }
  | { online: false; reason: OfflineReason; detail: string };

/** The calls a probe makes (fs.promises; tests inject slow or failing ones). */
export interface ProbeFs {
  stat(p: string): Promise<{ dev: number; isDirectory(): boolean }>;
  lstat(p: string): Promise<{ dev: number; ino: number; size: number; mtimeMs: number }>;
  opendir(p: string): Promise<{ read(): Promise<unknown>; close(): Promise<void> }>;
}

export interface ProbeOptions {
  fs?: ProbeFs;
  timeoutMs?: number;
}

/** What the library remembers of a root. */
export interface KnownRoot {
  path: string;
  /** st.dev when it was last seen online; null when never recorded. */
  device: string | null;
  /** A few of its photos (only read when the device changed). */
  samples(): KnownFile[];
}

const SAMPLES = 8;

/** The node fs calls, looked up at call time (so a test's preload can wrap them). */
const nodeFs: ProbeFs = {
  stat: (p) => fs.promises.stat(p),
  lstat: (p) => fs.promises.lstat(p),
  opendir: (p) => fs.promises.opendir(p),
};

const codeOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

function offline(reason: OfflineReason, detail: string): RootProbe {
  return { online: false, reason, detail };
}

function failure(root: string, err: unknown): RootProbe {
  if (err instanceof FolderTimeoutError) return offline('timeout', err.message);
  const code = codeOf(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') return offline('missing', `${root} is not there (a drive or share that is away?)`);
  if (code === 'EACCES' || code === 'EPERM') return offline('unreadable', `${root} cannot be read (permission denied)`);
  return offline('unreadable', `${root} cannot be read (${code ?? (err instanceof Error ? err.message : String(err))})`);
}

/** Probe one root: there, a folder, listable, on the device it was on (or holding its photos). */
export async function probeRoot(root: KnownRoot, opts: ProbeOptions = {}): Promise<RootProbe> {
  const fsx = opts.fs ?? nodeFs;
  const ms = opts.timeoutMs ?? folderTimeoutMs();
  const call = <T>(op: () => Promise<T>): Promise<T> => withDeadline(root.path, ms, op);
  let device: string;
  let empty: boolean;
  try {
    const st = await call(() => fsx.stat(root.path));
    if (!st.isDirectory()) return offline('not-a-folder', `${root.path} is not a folder any more`);
    // Listable: opening it and reading one entry is what the scan will do first.
    empty = await call(async () => {
      const dir = await fsx.opendir(root.path);
      try {
        return (await dir.read()) === null;
      } finally {
        await dir.close().catch(() => undefined);
      }
    });
    device = String(st.dev);
  } catch (err) {
    return failure(root.path, err);
  }
  if (root.device === device) return { online: true, device };
  // Never recorded (a library from before devices were): only an empty folder is in doubt.
  if (root.device === null && !empty) return { online: true, device };
  // Another device than before (or an empty folder of unknown device): the same volume under a new
  // number, or not the same volume at all — its photos tell.
  const samples = root.samples().slice(0, SAMPLES);
  if (samples.length === 0) return { online: true, device };
  let found = 0;
  for (const k of samples) {
    const st = await call(() => fsx.lstat(k.path)).catch(() => null);
    if (st && st.size === k.size && Math.trunc(st.mtimeMs) === k.mtimeMs) found++;
  }
  if (found * 2 >= samples.length) return { online: true, device };
  // An empty mount point (the drive unplugged, the folder now on its parent's device), or another
  // drive mounted in its place: either way not the folder the photos were in.
  return offline('mount-changed', `${root.path} is not on the drive it was on (that drive is not mounted there: none of its photos is there)`);
}

/** A root's state as the indexer and the engine need it. */
export interface RootState {
  folderId: number;
  path: string;
  probe: RootProbe;
  /** The state changed with this check (went offline, or came back). */
  changed: boolean;
}

/**
 * Probes roots and keeps the folders table's record of them: the device each is on, and since
 * when and why one is offline. Logs every change of state.
 */
export class RootAvailability {
  private readonly listeners = new Set<(state: RootState) => void>();

  constructor(
    private readonly lib: Library,
    private readonly opts: ProbeOptions & { log?: Logger } = {},
  ) {}

  async check(folderId: number): Promise<RootState | null> {
    const folder = this.lib.folders.get(folderId);
    if (!folder) return null;
    const probe = await probeRoot(
      { path: folder.path, device: folder.device, samples: () => this.lib.identity.sampleUnder(folderId, SAMPLES) },
      this.opts,
    );
    // The folder may have been removed meanwhile (the probe can take seconds).
    if (!this.lib.folders.get(folderId)) return null;
    let changed: boolean;
    if (probe.online) {
      this.lib.transaction(() => {
        if (folder.device !== null && folder.device !== probe.device) this.lib.identity.rebaseDevice(folderId, folder.device, probe.device);
      });
      changed = this.lib.folders.markOnline(folderId, probe.device);
      if (changed) this.opts.log?.info(`folder ${folder.path} is back online`);
    } else {
      changed = this.lib.folders.markOffline(folderId, probe.reason);
      // Info, not a warning: a drive that is away is a state the app shows (and the CLI says in its
      // own words), not a fault.
      if (changed) this.opts.log?.info(`folder ${folder.path} is offline (${probe.detail}); its photos are kept`);
    }
    const state = { folderId, path: folder.path, probe, changed };
    if (changed) this.emit(state);
    return state;
  }

  /** Be told whenever a root goes away or comes back (whoever probed it). */
  onChange(listener: (state: RootState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(state: RootState): void {
    for (const l of this.listeners) l(state);
  }

  /** A walk of the root stopped answering (fs-deadline.ts): offline for now. */
  timedOut(folderId: number, err: FolderTimeoutError): { reason: OfflineReason; detail: string } {
    const folder = this.lib.folders.get(folderId);
    const probe = { online: false as const, reason: 'timeout' as const, detail: err.message };
    if (folder && this.lib.folders.markOffline(folderId, 'timeout')) {
      this.opts.log?.info(`folder ${folder.path} is offline (${err.message}); its photos are kept`);
      this.emit({ folderId, path: folder.path, probe, changed: true });
    }
    return { reason: probe.reason, detail: probe.detail };
  }

  /** Every root, probed side by side (one that hangs does not hold up the others). */
  async checkAll(): Promise<RootState[]> {
    const states = await Promise.all(this.lib.folders.list().map((f) => this.check(f.id)));
    return states.filter((s): s is RootState => s !== null);
  }

  /** Folder ids recorded as offline right now. */
  offlineIds(): Set<number> {
    return new Set(this.lib.folders.list().filter((f) => f.offline).map((f) => f.id));
  }
}
