/**
 * Waiting in tests for a state, never for a fixed interval: the suite runs on busy 2-core
 * machines, where a fixed sleep is either too short (flaky) or too long (slow). The limit only
 * bounds how long a failing test takes to say what it waited for.
 */
const POLL_MS = 100;

/** Resolves once `cond` holds; throws "timed out waiting for <what>" after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The first value `probe` gives that is not undefined; throws "timed out waiting for <what>" after `timeoutMs`. */
export async function untilValue<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
