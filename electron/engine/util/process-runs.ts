/**
 * Whether a process with this id runs on this machine: how a lock decides its holder was killed
 * (a crash, kill -9) and can be taken over at once. EPERM: it runs, as another user. A process id
 * reused since by an unrelated process reads as running — the safe side (the lock waits).
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
