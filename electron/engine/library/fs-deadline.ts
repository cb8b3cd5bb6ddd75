/**
 * File-system calls on library folders with a deadline. A network share that stops answering
 * (a NAS asleep, Wi-Fi gone, an SMB or NFS mount whose server vanished) can leave stat() or
 * readdir() pending for minutes or for ever; the indexer must not wait with it. Each call on a
 * folder gets `timeoutMs`; past it the call is treated as failed (FolderTimeoutError) and the
 * folder is offline for this pass.
 *
 * A call that timed out still occupies one of libuv's few pool threads until the kernel answers.
 * So while an earlier call on the same folder is still pending, later calls on it fail at once
 * instead of queueing more threads behind the hung one — otherwise a few passes over a dead share
 * would exhaust the pool and stall every other file operation of the process (thumbnails,
 * decoding, the database's neighbours).
 */

/** How long a library folder may take to answer one call: SHIGUANG_FOLDER_TIMEOUT seconds, default 15. */
export function folderTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.SHIGUANG_FOLDER_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? Math.round(s * 1000) : 15_000;
}

/**
 * How often a watched library's folders are checked for going away or coming back:
 * SHIGUANG_FOLDER_CHECK seconds, default 30 (see index/root-monitor.ts).
 */
export function folderCheckMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.SHIGUANG_FOLDER_CHECK);
  return Number.isFinite(s) && s > 0 ? Math.round(s * 1000) : 30_000;
}

export class FolderTimeoutError extends Error {
  override readonly name = 'FolderTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly folder: string,
    readonly stillPending: boolean,
    timeoutMs: number,
  ) {
    super(
      stillPending
        ? `${folder} has still not answered an earlier request`
        : `${folder} did not answer within ${Math.round(timeoutMs / 100) / 10} s`,
    );
  }
}

/** Folders with a call still pending past its deadline, and how many. */
const hung = new Map<string, number>();

/** Whether a call on `folder` is still pending past its deadline. */
export function isHung(folder: string): boolean {
  return (hung.get(folder) ?? 0) > 0;
}

/**
 * Run `op` (a call on something under `folder`) with a deadline. Rejects with FolderTimeoutError
 * when it takes longer, or at once while an earlier call on `folder` still hangs.
 */
export function withDeadline<T>(folder: string, timeoutMs: number, op: () => Promise<T>): Promise<T> {
  if (isHung(folder)) return Promise.reject(new FolderTimeoutError(folder, true, timeoutMs));
  const call = op();
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      hung.set(folder, (hung.get(folder) ?? 0) + 1);
      reject(new FolderTimeoutError(folder, false, timeoutMs));
    }, timeoutMs);
    timer.unref();
    const settle = (): void => {
      clearTimeout(timer);
      if (!late) return;
      const n = (hung.get(folder) ?? 1) - 1;
      if (n > 0) hung.set(folder, n);
      else hung.delete(folder);
    };
    call.then(
      (v) => {
        settle();
        resolve(v);
      },
      (e: unknown) => {
        settle();
        reject(e);
      },
    );
  });
}
