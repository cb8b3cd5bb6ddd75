/**
 * One language at a time: every error code and every reason the engine can give (the one registry,
 * contract/error-reasons.ts) has a message in zh-CN and in English — in the renderer's catalogue
 * and in the CLI's words — and the Chinese one holds no untranslated English. Adding a reason
 * without its messages fails here (and at compile time: shared/error-messages.ts is typed
 * against the registry).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  API_ERROR_CODES,
  ApiError,
  apiError,
  canRetry,
  ERROR_REASONS,
  errorReasons,
  NAMED_FIELDS,
  parseRequest,
  REQUEST_PROBLEMS,
  TRANSPORT_ERROR_CODES,
  type ErrorReason,
} from '../../electron/shared/api.ts';
import { describeError, errorMessage, errorMessages } from '../../electron/shared/error-messages.ts';
import { messages, translate, type Lang } from '../../renderer/src/lib/messages.ts';
import { reasonText } from '../../electron/cli/context.ts';
import { SKIP_REASONS, skipReasonText } from '../../renderer/src/lib/skipReasons.ts';
import { cliLanguage, setCliLanguage } from '../../electron/cli/i18n.ts';
import { DatabaseBusyError, DiskFullError } from '../../electron/engine/store/errors.ts';

const ROOT = path.resolve(__dirname, '../..');

/** Parameter values as the engine fills them: data, written so the check can take them out again. */
const SAMPLE: Record<string, string> = {
  path: '/媒体/移动硬盘/照片 2023',
  root: '/媒体/移动硬盘',
  method: 'frobnicate',
  value: 'warp-drive',
  start: '8',
  end: '8',
  tag: '猫',
  other: '狗',
  id: '42',
  name: 'IMG_0001.HEIC',
  max: '16',
  model: 'cn-clip-vit-h-14',
  precision: 'fp16',
  hosted: 'fp32, int8',
  seconds: '30',
  field: 'query',
  kind: 'too-long',
  limit: '1000',
};

/**
 * ASCII words a Chinese message may hold: names of things and formats that are not translated
 * (the product names a person sees on the hub's site and in their settings), nothing else.
 */
const ALLOWED_ASCII = new Set(['OCR', 'GPU', 'CPU', 'CUDA', 'int8', 'fp32', 'fp16', 'ONNX', 'HTTP', 'Python', 'hf', 'modelscope', 'ModelScope', 'Hugging', 'Face', 'hf-mirror']);

/** The English words left in a zh-CN message once its parameter values and example paths are taken out. */
function untranslated(text: string, params: Record<string, string>): string[] {
  let rest = text;
  for (const v of Object.values(params).sort((a, b) => b.length - a.length)) if (v) rest = rest.split(v).join(' ');
  rest = rest.replace(/(^|[\s（(“"])[~/][^\s，。：；）)”"]*/g, ' '); // example paths: /home/me/Pictures, ~/Pictures
  return (rest.match(/[A-Za-z][A-Za-z0-9_-]*/g) ?? []).filter((w) => !ALLOWED_ASCII.has(w));
}

function paramsOf(reason: ErrorReason): Record<string, string> {
  return Object.fromEntries(ERROR_REASONS[reason].params.map((p) => [p, SAMPLE[p] ?? `param-${p}`]));
}

/** The renderer's words for an error: its catalogue, through the one function every screen uses. */
const rendererText = (lang: Lang, err: { code: string; detail?: { reason: string; [k: string]: string } }): string =>
  describeError((key, vars) => translate(lang, key, vars), err);

describe('every error reason', () => {
  it('has the code, parameters and retry the registry declares, and its placeholders are its parameters', () => {
    for (const reason of errorReasons) {
      const spec = ERROR_REASONS[reason];
      expect(API_ERROR_CODES, reason).toContain(spec.code);
      for (const lang of ['zh-CN', 'en'] as const) {
        const template = errorMessages[lang][`reason.${reason}`];
        const used = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        for (const p of used) expect(spec.params, `${lang} reason.${reason} uses {${p}}`).toContain(p);
      }
    }
  });

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`is worded in ${lang} by the renderer, filled, and (in Chinese) without English`, () => {
      for (const reason of errorReasons) {
        const params = paramsOf(reason);
        const err = apiError(reason, params as never, 'the engine says this in English');
        const text = rendererText(lang, err);
        expect(text, reason).not.toMatch(/\{\w+\}/);
        expect(text, reason).not.toContain('the engine says');
        expect(text.length, reason).toBeGreaterThan(4);
        if (lang === 'zh-CN') {
          expect(untranslated(text, params), `${reason}: ${text}`).toEqual([]);
          expect(text, reason).not.toBe(rendererText('en', err));
        }
      }
    });
  }

  it('is worded by the CLI in Chinese, with the words the app uses', () => {
    const before = cliLanguage();
    try {
      setCliLanguage('zh-CN');
      for (const reason of errorReasons) {
        const params = paramsOf(reason);
        const text = reasonText(apiError(reason, params as never, 'the engine says this in English'));
        expect(text, reason).toBe(errorMessage('zh-CN', apiError(reason, params as never, '')));
        expect(untranslated(text!, params), `${reason}: ${text}`).toEqual([]);
      }
      // The store's typed errors carry an API code: the CLI words them too.
      expect(reasonText(new DatabaseBusyError('/lib.db'))).toBe(errorMessages['zh-CN']['reason.library-busy']);
      expect(reasonText(new DiskFullError('/lib.db'))).toBe(errorMessages['zh-CN']['reason.disk-full']);
      setCliLanguage('en');
      expect(reasonText(apiError('folder-missing', { path: '/x' }, 'folder not found: /x'))).toBeNull(); // English: the engine's own message
    } finally {
      setCliLanguage(before);
    }
  });
  afterAll(() => setCliLanguage('en'));
});

describe('every error code, without a reason', () => {
  it('has a message in both languages that quotes nothing from the engine', () => {
    for (const code of [...API_ERROR_CODES, ...TRANSPORT_ERROR_CODES]) {
      for (const lang of ['zh-CN', 'en'] as const) {
        const text = rendererText(lang, { code });
        expect(text, `${lang} ${code}`).toBe(messages[lang][`error.${code}`]);
        expect(text, code).not.toMatch(/\{\w+\}/);
        if (lang === 'zh-CN') expect(untranslated(text, {}), `${code}: ${text}`).toEqual([]);
      }
    }
    // A code nobody registered (an older or newer engine) still gets words, not a blank.
    expect(rendererText('zh-CN', { code: 'ENOENT' })).toBe(messages['zh-CN']['error.INTERNAL']);
  });
});

describe('invalid requests', () => {
  const refusal = (method: Parameters<typeof parseRequest>[0], payload: unknown): ApiError => {
    try {
      parseRequest(method, payload);
    } catch (err) {
      return err as ApiError;
    }
    throw new Error(`${method} accepted ${JSON.stringify(payload)}`);
  };

  it('say which field and what is wrong, not zod’s English', () => {
    const long = refusal('search', { query: '猫'.repeat(1001) });
    expect(long).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'invalid-request', field: 'query', kind: 'too-long', limit: '1000' } });
    expect(rendererText('zh-CN', long)).toBe('搜索内容太长了：最多 1000 个字。');
    expect(rendererText('en', long)).toBe('The search text is too long: at most 1000 characters.');
    expect(refusal('search', { query: '' }).detail).toMatchObject({ field: 'query', kind: 'empty' });
    expect(refusal('updateSettings', { threads: 1.5 }).detail).toMatchObject({ field: 'threads', kind: 'not-whole' });
    expect(refusal('updateSettings', { threads: 5000 }).detail).toMatchObject({ field: 'threads', kind: 'too-large', limit: '1024' });
    expect(refusal('search', { query: '猫', mode: 'fuzzy' }).detail).toMatchObject({ field: 'mode', kind: 'not-allowed' });
    expect(refusal('search', { query: '猫', colour: 'red' }).detail).toMatchObject({ field: 'colour', kind: 'unknown-field' });
    expect(refusal('search', { query: 42 }).detail).toMatchObject({ field: 'query', kind: 'wrong-type' });
    expect(refusal('search', { query: '猫', filter: { after: 'yesterday-ish' } }).detail).toMatchObject({ reason: 'invalid-request', field: 'filter.after' });
    // A field people do not type is "a value in the request", never its code name.
    const mode = rendererText('zh-CN', refusal('search', { query: '猫', mode: 'fuzzy' }));
    expect(mode).toBe('请求中的一项不是允许的值。');
  });

  it('word every kind of problem and every named field in both languages', () => {
    for (const kind of REQUEST_PROBLEMS) {
      for (const field of [...NAMED_FIELDS, 'cursor']) {
        const err = apiError('invalid-request', { field, kind, limit: '7' }, '');
        for (const lang of ['zh-CN', 'en'] as const) {
          const text = rendererText(lang, err);
          expect(text, `${lang} ${kind} ${field}`).not.toMatch(/\{\w+\}|cursor/);
          if (lang === 'zh-CN') expect(untranslated(text, { limit: '7' }), `${kind} ${field}: ${text}`).toEqual([]);
        }
      }
    }
  });

  it('are not offered a retry; what can change by itself is', () => {
    expect(canRetry(refusal('search', { query: '猫'.repeat(1001) }))).toBe(false);
    expect(canRetry(apiError('folder-missing', { path: '/x' }, ''))).toBe(false);
    expect(canRetry(apiError('folder-offline', { path: '/x' }, ''))).toBe(true);
    expect(canRetry({ code: 'NETWORK' })).toBe(true);
    expect(canRetry({ code: 'BAD_REQUEST' })).toBe(false);
  });
});

describe('errors that reach the API without a reason', () => {
  it('get the reason their code implies, or become INTERNAL', () => {
    expect(ApiError.from(new DatabaseBusyError('/lib.db'))).toMatchObject({ code: 'LIBRARY_BUSY', detail: { reason: 'library-busy' } });
    expect(ApiError.from(new DiskFullError('/lib.db'))).toMatchObject({ code: 'DISK_FULL', detail: { reason: 'disk-full' } });
    // A Node errno or a download code is not an API code: INTERNAL, the English kept for the log.
    const errno = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    expect(ApiError.from(errno)).toMatchObject({ code: 'INTERNAL', message: 'ENOENT: no such file or directory' });
    expect(ApiError.from({ code: 'UNREACHABLE', message: 'getaddrinfo ENOTFOUND huggingface.co' }).code).toBe('INTERNAL');
  });
});

describe('other failures the UI shows', () => {
  it('word every skip reason (images and videos) in both languages, never the decoder’s detail', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const t = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(lang, key, vars);
      for (const code of SKIP_REASONS) {
        const text = skipReasonText(`${code}: Input buffer contains unsupported image format`, t);
        expect(text, code).not.toMatch(/Input buffer|\{/);
        if (lang === 'zh-CN') expect(untranslated(text, {}), `${code}: ${text}`).toEqual([]);
      }
      expect(skipReasonText('vips_something: out of order read', t)).toBe(messages[lang]['skipReason.other']);
    }
  });

  it('say failures of passes, OCR, downloads, int8 and the query limit without English in Chinese', () => {
    for (const key of ['passes.error', 'ocr.failed', 'quantize.failed', 'models.failed', 'search.tooLong', 'models.notDownloadable'] as const) {
      const text = translate('zh-CN', key, { title: '文字识别', reason: '文件已损坏', error: 'ENOENT: no such file', message: '无法连接', max: 1000, n: 1200 });
      expect(untranslated(text, {}), `${key}: ${text}`).toEqual([]);
      expect(text, key).not.toMatch(/`|npm run/);
    }
  });
});

describe('the inventory', () => {
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
      .map((e) => path.join(e.parentPath, e.name));
  const files = [...sources(path.join(ROOT, 'electron')), ...sources(path.join(ROOT, 'renderer/src'))];

  it('makes every API error through apiError() with a registered reason', () => {
    const registry = path.join(ROOT, 'electron/shared/contract/errors.ts');
    const raw = files.filter((f) => f !== registry && /new ApiError\(/.test(fs.readFileSync(f, 'utf8')));
    expect(raw.map((f) => path.relative(ROOT, f)), 'errors made without a reason').toEqual([]);
  });

  it('uses every registered reason somewhere (no message for an error that cannot happen)', () => {
    const registryFiles = new Set(['electron/shared/contract/error-reasons.ts', 'electron/shared/error-messages.ts'].map((f) => path.join(ROOT, f)));
    const text = files.filter((f) => !registryFiles.has(f)).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    const unused = errorReasons.filter((r) => !text.includes(`'${r}'`));
    expect(unused).toEqual([]);
  });
});
