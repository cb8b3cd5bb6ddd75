/**
 * How a service's API handlers reach their service: run `fn` on it while the engine is open (the
 * call waits during a reopen, and fails as the app decides — NO_MODEL, ENGINE_UNAVAILABLE — when
 * there is none). The composition root (app/) builds one per service, so handlers import nothing
 * above their own folder.
 */
export type Use<S> = <T>(fn: (service: S) => Promise<T> | T) => Promise<T>;
