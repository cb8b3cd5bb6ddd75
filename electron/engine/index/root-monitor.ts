/**
 * While the library is watched: notice a folder going away or coming back without waiting for
 * the next full pass. Every `everyMs` each root is probed (a stat and one directory entry, bounded
 * by the folder deadline; see library/root-availability.ts), which reports any change to the
 * availability's listeners — the engine then restarts the watcher on the roots that are there
 * (file-system watches on an unmounted drive are dead, and a re-mounted one needs new ones) and
 * runs a full pass, which catches up with what changed on the drive while it was away, reading
 * nothing that did not change.
 */
import type { RootAvailability } from '../library/root-availability.ts';
import { folderCheckMs } from '../library/fs-deadline.ts';

export class RootMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly roots: RootAvailability,
    private readonly onError: (err: unknown) => void,
    everyMs = folderCheckMs(),
  ) {
    // Not unref'd: with every folder away there is nothing else to wait on, and waiting for them
    // to come back is then what a watching process is for (close() stops it).
    if (everyMs > 0) this.timer = setInterval(() => void this.checkNow(), everyMs);
  }

  /** Probe every root now (at most one round at a time). */
  checkNow(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running ??= this.roots
      .checkAll()
      .then(
        () => undefined,
        (err: unknown) => {
          if (!this.closed) this.onError(err); // after close the library is gone: nothing to report
        },
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Stops probing. A probe of a share that hangs ends at its deadline; nothing waits for it. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
