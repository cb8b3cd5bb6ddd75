/**
 * The one API contract between the renderer and the engine, whatever carries it (Electron IPC via
 * the preload, or HTTP in the local web mode). Each service declares its methods (request schemas,
 * validated on the engine side of every transport) and response types in its own file under
 * contract/; this module assembles them and is what everything imports.
 *
 * Adding a method: its schema and response type in the service's contract file; the handler
 * where the service lives. Nothing else lists methods by hand.
 *
 * Pure TypeScript + zod: imports nothing from Node, the DOM or Electron.
 */
import type { z } from 'zod';
import { apiError, type RequestProblem } from './contract/errors.ts';
import { libraryRequests, type LibraryResponses } from './contract/library.ts';
import { modelsRequests, type ModelsResponses } from './contract/models.ts';
import { ocrRequests, type OcrResponses } from './contract/ocr.ts';
import { searchRequests, type SearchResponses } from './contract/search.ts';
import { settingsRequests, type SettingsResponses } from './contract/settings.ts';
import { shellRequests, type ShellResponses } from './contract/shell.ts';
import { stacksRequests, type StacksResponses } from './contract/stacks.ts';
import { systemRequests, type SystemResponses } from './contract/system.ts';
import { tagsRequests, type TagsResponses } from './contract/tags.ts';
import { transportRequests, type TransportResponses } from './contract/transport.ts';

export { MAX_PAGE_SIZE, UI_PAGE_SIZE } from './paging.ts';
export * from './contract/errors.ts';
export * from './contract/limits.ts';
export * from './contract/filter.ts';
export type * from './contract/common.ts';
export type * from './contract/library.ts';
export type * from './contract/models.ts';
export type * from './contract/ocr.ts';
export type * from './contract/search.ts';
export type * from './contract/settings.ts';
export type * from './contract/stacks.ts';
export { SEARCH_SENSITIVITY } from './contract/settings.ts';
export type * from './contract/system.ts';
export type * from './contract/tags.ts';
export type * from './contract/transport.ts';

/**
 * Every method belongs to exactly one service. Each service has its own handler interface
 * (ServiceHandlers in handlers.ts), implemented where it lives (library, search, tags and models in
 * the engine, shell in the Electron main process) and registered by each transport that has it:
 * a transport without a service (the web mode has no native shell) simply does not register it.
 * `transport` is answered by the transport itself, from what it registered.
 */
const serviceRequests = {
  transport: transportRequests,
  system: systemRequests,
  library: libraryRequests,
  search: searchRequests,
  tags: tagsRequests,
  ocr: ocrRequests,
  stacks: stacksRequests,
  models: modelsRequests,
  settings: settingsRequests,
  shell: shellRequests,
} as const;

export type ServiceName = keyof typeof serviceRequests;
export const serviceNames = Object.keys(serviceRequests) as ServiceName[];

export const requestSchemas = {
  ...transportRequests,
  ...systemRequests,
  ...libraryRequests,
  ...searchRequests,
  ...tagsRequests,
  ...ocrRequests,
  ...stacksRequests,
  ...modelsRequests,
  ...settingsRequests,
  ...shellRequests,
} as const;

export type ApiMethod = keyof typeof requestSchemas;
export type ServiceMethod<S extends ServiceName> = Extract<ApiMethod, keyof (typeof serviceRequests)[S]>;

function methodsOf<S extends ServiceName>(service: S): readonly ServiceMethod<S>[] {
  return Object.keys(serviceRequests[service]) as ServiceMethod<S>[];
}

/** The methods of each service, derived from the contract files. */
export const apiServices: { readonly [S in ServiceName]: readonly ServiceMethod<S>[] } = {
  transport: methodsOf('transport'),
  system: methodsOf('system'),
  library: methodsOf('library'),
  search: methodsOf('search'),
  tags: methodsOf('tags'),
  ocr: methodsOf('ocr'),
  stacks: methodsOf('stacks'),
  models: methodsOf('models'),
  settings: methodsOf('settings'),
  shell: methodsOf('shell'),
};

/** The service a method belongs to. */
export function serviceOf(method: ApiMethod): ServiceName {
  for (const s of serviceNames) if ((apiServices[s] as readonly string[]).includes(method)) return s;
  throw new Error(`method ${method} belongs to no service`);
}
export type ApiRequest<M extends ApiMethod> = z.input<(typeof requestSchemas)[M]>;
export type ApiParsedRequest<M extends ApiMethod> = z.output<(typeof requestSchemas)[M]>;

export interface ApiResponses
  extends TransportResponses,
    SystemResponses,
    LibraryResponses,
    SearchResponses,
    TagsResponses,
    OcrResponses,
    StacksResponses,
    ModelsResponses,
    SettingsResponses,
    ShellResponses {}
export type ApiResponse<M extends ApiMethod> = ApiResponses[M];

/** What a transport exposes to the renderer: one async function per method. */
export type ShiguangApi = {
  [M in ApiMethod]: (req: ApiRequest<M>) => Promise<ApiResponse<M>>;
};

export const apiMethods = Object.keys(requestSchemas) as ApiMethod[];

/** Validate a request for `method`; a bad payload becomes a BAD_REQUEST error with reason `invalid-request`, never a crash. */
export function parseRequest<M extends ApiMethod>(method: M, payload: unknown): ApiParsedRequest<M> {
  const schema = requestSchemas[method];
  if (!schema) throw apiError('unknown-method', { method: String(method) }, `unknown method ${String(method)}`);
  const parsed = schema.safeParse(payload ?? {});
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
    throw apiError('invalid-request', requestProblem(parsed.error.issues[0]), `invalid ${method} request: ${why}`);
  }
  return parsed.data as ApiParsedRequest<M>;
}

/** zod's first complaint as a field, a kind of problem and its bound: the renderer words it, zod's English is for the log. */
export function requestProblem(issue: z.core.$ZodIssue | undefined): { field: string; kind: RequestProblem; limit: string } {
  if (!issue) return { field: '', kind: 'bad-format', limit: '' };
  const field = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''].join('.') : issue.path.map(String).join('.');
  const bound = (n: number | bigint): string => String(n);
  switch (issue.code) {
    case 'too_big': {
      const kind: RequestProblem = issue.origin === 'string' ? 'too-long' : issue.origin === 'array' || issue.origin === 'set' ? 'too-many' : 'too-large';
      return { field, kind, limit: bound(issue.maximum) };
    }
    case 'too_small': {
      if (issue.origin === 'string') return { field, kind: Number(issue.minimum) <= 1 ? 'empty' : 'too-short', limit: bound(issue.minimum) };
      const kind: RequestProblem = issue.origin === 'array' || issue.origin === 'set' ? 'too-few' : 'too-small';
      return { field, kind, limit: bound(issue.minimum) };
    }
    case 'invalid_type':
      return { field, kind: issue.expected === 'int' ? 'not-whole' : 'wrong-type', limit: '' };
    case 'invalid_value':
      return { field, kind: 'not-allowed', limit: '' };
    case 'unrecognized_keys':
      return { field, kind: 'unknown-field', limit: '' };
    default:
      return { field, kind: 'bad-format', limit: '' };
  }
}

export function isApiMethod(name: string): name is ApiMethod {
  return Object.prototype.hasOwnProperty.call(requestSchemas, name);
}
