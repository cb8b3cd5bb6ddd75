/**
 * Restart delays for the engine process: exponential, capped, and forgiven once a run has been
 * healthy for a while — so a crash after hours of work restarts at once, and a crash loop (say, a
 * corrupt database) backs off instead of burning a CPU.
 */

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** A run that stayed up this long resets the failure count. */
  stableMs: number;
  /** Consecutive failed runs after which the supervisor stops restarting. */
  maxConsecutiveFailures: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 250,
  maxMs: 30_000,
  factor: 2,
  stableMs: 60_000,
  maxConsecutiveFailures: 10,
};

/** Delay before restart number `failures` (1 = first restart after a crash). */
export function backoffDelay(failures: number, o: BackoffOptions = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  const d = o.initialMs * Math.pow(o.factor, failures - 1);
  return Math.min(o.maxMs, d);
}

/** The failure count after a run that lasted `uptimeMs` (null: it never became ready). */
export function nextFailureCount(previous: number, uptimeMs: number | null, o: BackoffOptions = DEFAULT_BACKOFF): number {
  if (uptimeMs !== null && uptimeMs >= o.stableMs) return 1;
  return previous + 1;
}
