/**
 * The fetch used for model downloads. Node's built-in fetch ignores HTTP(S)_PROXY unless the
 * process was started with NODE_USE_ENV_PROXY=1 / --use-env-proxy (Node 24, backported to 22.x);
 * users behind a corporate or campus proxy would otherwise see only "fetch failed". When a proxy
 * variable is set we therefore use undici's own fetch with its EnvHttpProxyAgent — undici's fetch
 * rather than the global one so dispatcher and fetch come from the same undici copy. undici is not
 * a declared dependency (it is resolvable here only through the dev toolchain), so the import is
 * optional: without it we fall back to the built-in fetch and say how to enable the proxy.
 */

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ResolvedFetch {
  fetch: FetchLike;
  /** What was chosen, for `--verbose` output and bug reports. */
  via: 'injected' | 'global' | 'undici-env-proxy' | 'node-env-proxy';
  /** A proxy is set in the environment and this fetch ignores it (said as a download notice). */
  proxyIgnored?: boolean;
}

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARS.some((v) => Boolean(env[v]));
}

interface UndiciLike {
  fetch: (url: string, init: Record<string, unknown>) => Promise<unknown>;
  EnvHttpProxyAgent: new (opts: { httpProxy?: string; httpsProxy?: string; noProxy?: string }) => unknown;
}

async function loadUndici(): Promise<UndiciLike | null> {
  // A variable specifier keeps TypeScript (and bundlers) from requiring the optional package.
  const specifier = 'undici';
  try {
    const mod = (await import(specifier)) as Partial<UndiciLike>;
    return typeof mod.fetch === 'function' && typeof mod.EnvHttpProxyAgent === 'function' ? (mod as UndiciLike) : null;
  } catch {
    return null;
  }
}

export async function resolveFetch(injected?: FetchLike, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedFetch> {
  if (injected) return { fetch: injected, via: 'injected' };
  if (!proxyConfigured(env)) return { fetch: globalThis.fetch, via: 'global' };
  if (env.NODE_USE_ENV_PROXY === '1' || process.execArgv.includes('--use-env-proxy')) {
    return { fetch: globalThis.fetch, via: 'node-env-proxy' };
  }
  const undici = await loadUndici();
  if (undici) {
    // Explicit values so the agent follows the environment we were given (lower case wins, as in curl).
    const dispatcher = new undici.EnvHttpProxyAgent({
      httpProxy: env.http_proxy ?? env.HTTP_PROXY,
      httpsProxy: env.https_proxy ?? env.HTTPS_PROXY,
      noProxy: env.no_proxy ?? env.NO_PROXY,
    });
    const proxied: FetchLike = (url, init) => undici.fetch(url, { ...(init as Record<string, unknown>), dispatcher }) as Promise<Response>;
    return { fetch: proxied, via: 'undici-env-proxy' };
  }
  return { fetch: globalThis.fetch, via: 'global', proxyIgnored: true };
}
