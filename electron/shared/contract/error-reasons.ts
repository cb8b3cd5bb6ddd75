/**
 * Every reason the engine (and the processes around it) can give for an error a person may meet,
 * with the API code it travels under, the parameters its message may use, and whether trying the
 * same thing again can help. The one registry: `apiError()` (errors.ts) only accepts a reason from
 * here with exactly its parameters, the message catalogues (shared/error-messages.ts) are typed
 * against it, and test/unit/error-messages.test.ts walks it — so a reason added here without its
 * zh-CN and English messages fails the build and the test. How to add one: docs/architecture.md,
 * "Errors".
 *
 * Parameter values are data (paths, numbers, names), never sentences: the wording is the
 * catalogue's, in the person's language. Pure TypeScript: shared by every process.
 */

export const API_ERROR_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'UNSUPPORTED',
  'ENGINE_UNAVAILABLE',
  'MODEL_ERROR',
  /** No model is chosen yet: the user must pick (and download) one first. */
  'NO_MODEL',
  /** The library database is damaged: offer to rebuild it (rebuildLibrary), which re-encodes every photo. */
  'LIBRARY_DAMAGED',
  /** The disk holding the library is full: nothing was lost, indexing resumes once there is space. */
  'DISK_FULL',
  /** Another process held the library's write lock too long; try again. */
  'LIBRARY_BUSY',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Codes only a transport on the renderer's side can produce: the engine could not be reached, the web token was refused. */
export const TRANSPORT_ERROR_CODES = ['NETWORK', 'UNAUTHORIZED'] as const;
export type ErrorCode = ApiErrorCode | (typeof TRANSPORT_ERROR_CODES)[number];

/** Whether trying the same request again can help, for errors that carry no reason. */
export const CODE_RETRY: Readonly<Record<ErrorCode, boolean>> = {
  BAD_REQUEST: false,
  NOT_FOUND: false,
  UNSUPPORTED: false,
  ENGINE_UNAVAILABLE: true,
  MODEL_ERROR: false,
  NO_MODEL: false,
  LIBRARY_DAMAGED: false,
  DISK_FULL: true,
  LIBRARY_BUSY: true,
  INTERNAL: true,
  NETWORK: true,
  UNAUTHORIZED: false,
};

interface ReasonSpec {
  code: ApiErrorCode;
  params: readonly string[];
  retry: boolean;
}

const reason = <C extends ApiErrorCode, P extends readonly string[]>(code: C, params: P, retry = false) => ({ code, params, retry }) as const;

export const ERROR_REASONS = {
  // Requests as they arrive (shared/api.ts, router.ts, transports).
  /** A field failed the contract's schema: `field` is its path (query, filter.after), `kind` one of REQUEST_PROBLEMS, `limit` the bound when there is one. */
  'invalid-request': reason('BAD_REQUEST', ['field', 'kind', 'limit']),
  'unknown-method': reason('BAD_REQUEST', ['method']),
  'request-not-json': reason('BAD_REQUEST', []),
  'request-untrusted': reason('BAD_REQUEST', []),
  'desktop-only': reason('UNSUPPORTED', ['method']),
  'service-missing': reason('UNSUPPORTED', ['method']),
  /** A cursor that is not one, or one of another list (the query or filter changed): start from the first page. */
  'cursor-invalid': reason('BAD_REQUEST', []),
  'cursor-stale': reason('BAD_REQUEST', []),

  // Filters.
  'date-invalid': reason('BAD_REQUEST', ['value']),
  'date-range-empty': reason('BAD_REQUEST', ['start', 'end']),
  'hours-range-empty': reason('BAD_REQUEST', ['start', 'end']),
  'tag-one-at-a-time': reason('BAD_REQUEST', ['tag', 'other']),

  // Search.
  'query-empty': reason('BAD_REQUEST', []),
  'image-empty': reason('BAD_REQUEST', []),
  'image-unreadable': reason('BAD_REQUEST', []),
  /** An imageKey the engine no longer keeps (evicted, another model): send the image's bytes again. */
  'image-expired': reason('NOT_FOUND', [], true),

  // Photos and their files.
  'photo-unknown': reason('NOT_FOUND', ['id']),
  'photo-not-indexed': reason('NOT_FOUND', ['path']),
  /** A link or an undecodable name: the library never reads it (link-policy.ts). */
  'photo-not-read': reason('NOT_FOUND', ['id']),
  'photo-file-gone': reason('NOT_FOUND', ['path']),
  /** Asked for a photo's Live Photo clip, and it has none (not beside it, or too long to be one). */
  'photo-no-live-clip': reason('NOT_FOUND', ['id']),
  'photo-outside-library': reason('NOT_FOUND', ['id']),
  'photo-not-image': reason('UNSUPPORTED', ['id']),
  'photo-open-failed': reason('INTERNAL', ['id'], true),
  'thumbnail-failed': reason('UNSUPPORTED', ['name']),
  'video-not-a-video': reason('NOT_FOUND', ['id']),
  'video-not-indexed': reason('NOT_FOUND', ['path'], true),
  'video-frame-failed': reason('UNSUPPORTED', ['name']),
  /** The photo's library folder is away (unplugged): connecting it helps, so retrying can too. */
  'folder-offline': reason('NOT_FOUND', ['path'], true),

  // Folders as typed (library/folder-input.ts).
  'folder-none': reason('BAD_REQUEST', []),
  'folder-relative': reason('BAD_REQUEST', ['path']),
  'folder-missing': reason('NOT_FOUND', ['path']),
  'folder-not-a-folder': reason('BAD_REQUEST', ['path']),
  'folder-unreadable': reason('BAD_REQUEST', ['path']),
  'folder-inside-library': reason('BAD_REQUEST', ['path', 'root']),
  'folder-holds-offline': reason('BAD_REQUEST', ['path', 'root']),

  // Stacks (copies and bursts).
  /** "Not the same picture" on byte-identical copies: they are one file's copies. */
  'stack-same-file': reason('BAD_REQUEST', []),
  'stack-none': reason('BAD_REQUEST', ['name']),

  // Tags.
  'tag-builtin': reason('BAD_REQUEST', ['name']),

  // Settings.
  'threads-range': reason('BAD_REQUEST', ['max']),
  'provider-unknown': reason('BAD_REQUEST', ['value']),
  /** Where search results end (searchSensitivity): whole steps from min to max. */
  'sensitivity-range': reason('BAD_REQUEST', ['min', 'max']),
  /** A download source spec that cannot be read (settings, downloadModel's `source`). */
  'source-invalid': reason('BAD_REQUEST', ['value']),

  // Models.
  'no-model': reason('NO_MODEL', []),
  'model-unknown': reason('NOT_FOUND', ['model']),
  'model-not-hosted': reason('UNSUPPORTED', ['model']),
  'model-precision-unavailable': reason('BAD_REQUEST', ['model', 'precision', 'hosted']),
  'model-not-installed': reason('NOT_FOUND', ['model']),
  /** `models remove` of a model that is not there. */
  'model-remove-unknown': reason('NOT_FOUND', ['model']),
  /** The CLI was run with no model chosen: the commands that get one (values: the command lines). */
  'model-none-chosen': reason('NO_MODEL', ['download', 'import', 'flag']),
  /** --model names a folder that is not there. */
  'model-dir-missing': reason('NOT_FOUND', ['path']),
  /** A folder given as a model holds none: the files it would need (`expected`: file names). */
  'model-dir-not-a-model': reason('NOT_FOUND', ['path', 'expected']),
  /** `models import` of a folder holding exports of several sizes (`sizes`): choose one with `flag`. */
  'model-import-several-sizes': reason('BAD_REQUEST', ['path', 'sizes', 'flag']),
  /** A graph an import needs is not in the folder (`file`: its name, or the pattern an official export's has). */
  'model-import-graph-missing': reason('NOT_FOUND', ['path', 'file']),
  /** A manifest.json that is not JSON or not a model's description. */
  'model-manifest-invalid': reason('MODEL_ERROR', ['file']),
  'model-id-invalid': reason('BAD_REQUEST', ['model']),
  /** The imported model failed its test encode, so nothing was installed. */
  'model-test-failed': reason('MODEL_ERROR', ['path']),
  /** The values of `replace` and `remove` are the command-line ways out (data: the same in every language). */
  'model-already-installed': reason('BAD_REQUEST', ['model', 'dir', 'replace', 'remove']),
  /** Copying an import's files failed (not a full disk: that is `disk-full`). */
  'model-import-failed': reason('INTERNAL', ['path'], true),
  'model-downloading': reason('NOT_FOUND', ['model'], true),
  'model-unusable': reason('MODEL_ERROR', ['model']),
  'model-open-failed': reason('MODEL_ERROR', ['model']),
  'model-choice-unsaved': reason('INTERNAL', ['model'], true),
  'quantize-not-fp32': reason('BAD_REQUEST', ['model', 'precision']),
  'quantize-no-photos': reason('BAD_REQUEST', []),

  // The engine process and the library.
  'engine-closing': reason('ENGINE_UNAVAILABLE', []),
  'engine-timeout': reason('ENGINE_UNAVAILABLE', ['seconds'], true),
  'engine-unreachable': reason('ENGINE_UNAVAILABLE', [], true),
  'engine-starting': reason('ENGINE_UNAVAILABLE', ['seconds'], true),
  'engine-stopped': reason('ENGINE_UNAVAILABLE', []),
  'engine-failing': reason('ENGINE_UNAVAILABLE', []),
  'engine-start-failed': reason('ENGINE_UNAVAILABLE', []),
  'engine-restarted': reason('ENGINE_UNAVAILABLE', [], true),
  'library-damaged': reason('LIBRARY_DAMAGED', []),
  'library-not-damaged': reason('BAD_REQUEST', []),
  'library-busy': reason('LIBRARY_BUSY', [], true),
  /** Another running process follows this library's folders (its id, machine, command and since when); stop it first. */
  'library-watched': reason('LIBRARY_BUSY', ['pid', 'host', 'command', 'since']),
  /** The same, when that process did not say who it is. */
  'library-watched-unknown': reason('LIBRARY_BUSY', []),
  'disk-full': reason('DISK_FULL', [], true),
} as const satisfies Record<string, ReasonSpec>;

export type ErrorReason = keyof typeof ERROR_REASONS;
export type ReasonParams<R extends ErrorReason> = { [P in (typeof ERROR_REASONS)[R]['params'][number]]: string };

export const errorReasons = Object.keys(ERROR_REASONS) as ErrorReason[];

/** What was wrong with a field of an invalid request (`invalid-request`'s `kind`). */
export const REQUEST_PROBLEMS = ['too-long', 'too-short', 'empty', 'too-large', 'too-small', 'too-many', 'too-few', 'not-whole', 'wrong-type', 'not-allowed', 'unknown-field', 'bad-format'] as const;
export type RequestProblem = (typeof REQUEST_PROBLEMS)[number];

/** Fields people type, which their messages name in words (the rest are "a value in the request"). */
export const NAMED_FIELDS = ['query', 'path', 'name', 'threads', 'sources', 'provider', 'source', 'after', 'before', 'plain', 'dataBase64'] as const;
export type NamedField = (typeof NAMED_FIELDS)[number];

export function isErrorReason(x: string): x is ErrorReason {
  return Object.prototype.hasOwnProperty.call(ERROR_REASONS, x);
}

/** Whether trying again can help: by the reason when there is one, else by the code. */
export function canRetry(err: { code: string; detail?: { reason: string } }): boolean {
  const r = err.detail?.reason;
  if (r && isErrorReason(r)) return ERROR_REASONS[r].retry;
  return (CODE_RETRY as Record<string, boolean>)[err.code] ?? false;
}
