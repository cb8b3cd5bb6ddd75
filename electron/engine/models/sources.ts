/**
 * Where model files are fetched from, tried in order. Built-in: the Hugging Face hub, an
 * hf-mirror style reverse proxy (same paths, reachable from mainland China) and ModelScope.
 * Users add their own bases (a LAN server, another mirror) through SHIGUANG_MODEL_SOURCES, the
 * config file or `--source`.
 *
 * Spec syntax, comma separated, first = tried first:
 *   huggingface | hf-mirror | modelscope      built-in names
 *   hf:https://mirror.example                 Hugging Face compatible: <base>/<repo>/resolve/<rev>/<path>
 *   modelscope:https://ms.example             ModelScope compatible:   <base>/models/<repo>/resolve/<rev>/<path>
 *   https://lan.example/models                plain directory:         <base>/<model id>/<precision>/<file name>
 */
import type { Mirror } from './catalogue.ts';
import { systemLanguage, type Language } from '../util/locale.ts';
import { apiError } from '../../shared/api.ts';

export type Hub = 'huggingface' | 'modelscope' | 'plain';

export interface ModelSource {
  /** Shown in progress lines and errors. */
  name: string;
  base: string;
  hub: Hub;
}

export const BUILTIN_SOURCES: Readonly<Record<string, ModelSource>> = {
  huggingface: { name: 'huggingface', base: 'https://huggingface.co', hub: 'huggingface' },
  'hf-mirror': { name: 'hf-mirror', base: 'https://hf-mirror.com', hub: 'huggingface' },
  modelscope: { name: 'modelscope', base: 'https://www.modelscope.cn', hub: 'modelscope' },
};

/**
 * The built-in order follows the person's language: for Chinese, the sources reachable from
 * mainland China first (ModelScope, then the hf-mirror proxy), Hugging Face last (blocked there:
 * every download would first wait for it to fail); otherwise Hugging Face first.
 */
export const DEFAULT_SOURCE_ORDERS = {
  'zh-CN': ['modelscope', 'hf-mirror', 'huggingface'],
  en: ['huggingface', 'hf-mirror', 'modelscope'],
} as const satisfies Record<Language, readonly (keyof typeof BUILTIN_SOURCES)[]>;

/** The order for English (kept for callers that have no language). */
export const DEFAULT_SOURCE_ORDER = DEFAULT_SOURCE_ORDERS.en;

export function defaultSourceOrder(lang: Language): readonly string[] {
  return DEFAULT_SOURCE_ORDERS[lang];
}

export const SOURCES_ENV = 'SHIGUANG_MODEL_SOURCES';

function checkedBase(url: string, spec: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw apiError('source-invalid', { value: spec }, `model source "${spec}": not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw apiError('source-invalid', { value: spec }, `model source "${spec}": only http(s) URLs are supported`);
  }
  return url.replace(/\/+$/, '');
}

/** One entry of a source spec (see the file comment). */
export function parseSource(spec: string): ModelSource {
  const s = spec.trim();
  const builtin = BUILTIN_SOURCES[s];
  if (builtin) return { ...builtin };
  const prefixed = /^(hf|huggingface|ms|modelscope):(https?:\/\/.+)$/i.exec(s);
  if (prefixed) {
    const hub: Hub = prefixed[1].toLowerCase().startsWith('h') ? 'huggingface' : 'modelscope';
    const base = checkedBase(prefixed[2], s);
    return { name: base, base, hub };
  }
  if (/^https?:\/\//i.test(s)) {
    const base = checkedBase(s, s);
    return { name: base, base, hub: 'plain' };
  }
  throw apiError(
    'source-invalid',
    { value: s },
    `unknown model source "${s}": use ${Object.keys(BUILTIN_SOURCES).join(', ')}, hf:<url>, modelscope:<url> or a plain http(s) URL`,
  );
}

export function parseSourceList(specs: string | readonly string[]): ModelSource[] {
  const items = (typeof specs === 'string' ? specs.split(',') : specs.flatMap((x) => x.split(','))).map((x) => x.trim()).filter(Boolean);
  const out: ModelSource[] = [];
  for (const item of items) {
    const src = parseSource(item);
    if (!out.some((o) => o.base === src.base && o.hub === src.hub)) out.push(src);
  }
  return out;
}

/**
 * Effective order: `--source` beats the environment, which beats the config file, which beats
 * the built-in order for the person's language (default English). Each level replaces (not
 * extends) the next, so a user behind a firewall can say "only hf-mirror" and never wait on a
 * blocked host.
 */
export function resolveSources(opts: { cli?: readonly string[]; env?: string | undefined; config?: readonly string[] | undefined; lang?: Language } = {}): ModelSource[] {
  if (opts.cli && opts.cli.length) return parseSourceList(opts.cli);
  const env = opts.env ?? process.env[SOURCES_ENV];
  if (env && env.trim()) return parseSourceList(env);
  if (opts.config && opts.config.length) return parseSourceList(opts.config);
  return defaultSourceOrder(opts.lang ?? 'en').map((n) => ({ ...BUILTIN_SOURCES[n]! }));
}

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

/**
 * URL of one catalogue file at a source, or null when the source cannot serve it (a ModelScope
 * base cannot serve a file only hosted on Hugging Face, and vice versa).
 */
export function fileUrl(source: ModelSource, mirrors: readonly Mirror[], fileName: string, plain: { modelId: string; precision: string }): { url: string; mirror?: Mirror } | null {
  if (source.hub === 'plain') {
    return { url: `${source.base}/${encodeURIComponent(plain.modelId)}/${encodeURIComponent(plain.precision)}/${encodeURIComponent(fileName)}` };
  }
  const mirror = mirrors.find((m) => m.hub === source.hub && fileName in m.paths);
  if (!mirror) return null;
  const remote = encodePath(mirror.paths[fileName]);
  const repo = encodePath(mirror.repo);
  const rev = encodeURIComponent(mirror.revision);
  const url = source.hub === 'huggingface' ? `${source.base}/${repo}/resolve/${rev}/${remote}` : `${source.base}/models/${repo}/resolve/${rev}/${remote}`;
  return { url, mirror };
}

export function describeSource(s: ModelSource): string {
  return BUILTIN_SOURCES[s.name] ? `${s.name} (${s.base})` : `${s.base} [${s.hub}]`;
}

/** The sources as the settings show and check them (SourceCatalogue in settings/settings-service.ts). */
export const SOURCE_CATALOGUE = {
  envName: SOURCES_ENV,
  builtIn: Object.keys(BUILTIN_SOURCES),
  // Unsaved: the built-in order for the system's language (what a download from the CLI uses).
  defaultOrder: (): readonly string[] => defaultSourceOrder(systemLanguage()),
  parse: (specs: readonly string[]): readonly ModelSource[] => parseSourceList(specs),
};
