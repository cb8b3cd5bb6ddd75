/**
 * Failed model downloads speak the person's language: each failure carries a stable code and its
 * parameters (host, HTTP status, bytes, …) — from real failures against the fixture hub — and the
 * shared catalogue (electron/shared/download-messages.ts) turns them into zh-CN or English text
 * saying what failed and what to try, without quoting the engine's English. The built-in source
 * order follows the UI's language.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadModel, type DownloadOptions } from '../../electron/engine/models/download.ts';
import { ModelError, type ModelErrorCode } from '../../electron/engine/models/errors.ts';
import { DownloadRegistry } from '../../electron/engine/models/download-registry.ts';
import { loadCatalogue } from '../../electron/engine/models/catalogue.ts';
import { resolveSources, type ModelSource } from '../../electron/engine/models/sources.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { DOWNLOAD_ERROR_CODES, downloadFailureText, downloadMessages, type DownloadErrorCode, type DownloadFailure } from '../../electron/shared/download-messages.ts';
import { messages } from '../../renderer/src/lib/messages.ts';
import { fixtureModel, startHub, type FixtureHub, type FixtureModel } from './models-fixture-hub.ts';
import { rejectionOf } from '../support/rejection.ts';

// Compile-time: every code the engine can raise has a message (a new code without one fails typecheck).
const everyCodeHasAMessage: [Exclude<ModelErrorCode, DownloadErrorCode>] extends [never] ? true : false = true;

let hub: FixtureHub;
let modelsDir: string;

beforeEach(async () => {
  hub = await startHub();
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-dlmsg-'));
});

afterEach(async () => {
  await hub.close();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

const src = (name: string): ModelSource => ({ name, base: `${hub.url}/${name}`, hub: 'huggingface' });
const imgPath = (prefix: string): string => `/${prefix}/fixture/tiny/resolve/main/tiny.img.fp32.onnx`;
const options = (model: FixtureModel, extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
  id: 'test-tiny',
  precision: 'fp32',
  sources: [src('a')],
  modelsDir,
  catalogue: model.catalogue,
  manifestFor: model.manifestFor,
  idleTimeoutMs: 5_000,
  attemptsPerSource: 1,
  ...extra,
});

const failureOf = async (p: Promise<unknown>): Promise<DownloadFailure> => (await rejectionOf(p, ModelError)).toFailure();

/** No engine English in a Chinese message: no words of three or more Latin letters except host names and brands. */
function englishWordsIn(text: string, allowed: string[]): string[] {
  let rest = text;
  for (const a of allowed) rest = rest.split(a).join(' ');
  return rest.match(/[A-Za-z]{3,}/g) ?? [];
}
const BRANDS = ['Hugging Face', 'hf-mirror', 'ModelScope', 'HTTP'];

describe('download failures carry a code and parameters', () => {
  it('a host that refuses connections: UNREACHABLE with the host, in Chinese without the system error', async () => {
    const model = fixtureModel();
    const closed = await startHub();
    await closed.close();
    const f = await failureOf(downloadModel(options(model, { sources: [{ name: 'dead', base: closed.url, hub: 'huggingface' }] })));
    const host = new URL(closed.url).host;
    expect(f).toMatchObject({ code: 'UNREACHABLE', params: { host, reason: 'ECONNREFUSED', model: 'test-tiny', file: 'tiny.img.fp32.onnx' } });
    const zh = downloadFailureText('zh-CN', f);
    expect(zh).toContain(`无法连接 dead（${host}）`);
    expect(zh).toContain('魔搭 ModelScope');
    expect(englishWordsIn(zh, ['dead', host, ...BRANDS])).toEqual([]); // 'dead': the source's own name
    expect(downloadFailureText('en', f)).toContain(`Cannot reach dead (${host})`);
  });

  it('404 and 500: the host and the status; every source tried is listed', async () => {
    const model = fixtureModel();
    hub.misbehave(imgPath('b'), { kind: 'status', status: 500 });
    const f = await failureOf(downloadModel(options(model, { sources: [src('a'), src('b')] })));
    expect(f.code).toBe('HTTP_ERROR');
    expect(f.params).toMatchObject({ host: new URL(hub.url).host, status: 500 });
    expect(f.attempts.map((a) => [a.source, a.code, a.params.status])).toEqual([
      ['a', 'NOT_FOUND', 404],
      ['b', 'HTTP_ERROR', 500],
    ]);
    const zh = downloadFailureText('zh-CN', f);
    expect(zh).toContain('HTTP 500');
    expect(zh).toContain('依次尝试了：a：没有这个文件；b：服务器出错 500');
    expect(downloadFailureText('en', f)).toContain('Tried in order: a: no such file; b: server error 500');
  });

  it('a stalled server: TIMEOUT with seconds and the bytes so far', async () => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    hub.misbehave(imgPath('a'), { kind: 'stall-after', bytes: 1_000 });
    const f = await failureOf(downloadModel(options(model, { idleTimeoutMs: 150 })));
    expect(f).toMatchObject({ code: 'TIMEOUT', params: { seconds: 1, bytes: 1000, resumable: 1 } });
    expect(downloadFailureText('zh-CN', f)).toMatch(/超过 1 秒没有传来数据（已下载 1000 B）。请重试，会从中断处继续/);
  });

  it('a login page instead of the file: NOT_BINARY', async () => {
    const model = fixtureModel();
    model.serve(hub, '/a');
    hub.misbehave(imgPath('a'), { kind: 'header', name: 'content-type', value: 'text/html; charset=utf-8' });
    const f = await failureOf(downloadModel(options(model)));
    expect(f).toMatchObject({ code: 'NOT_BINARY', params: { contentType: 'text/html' } });
    expect(downloadFailureText('zh-CN', f)).toContain('返回的是网页，不是模型文件');
  });

  it('not enough disk space: the need and what is free, humanised', async () => {
    const model = fixtureModel();
    const f = await failureOf(downloadModel(options(model, { statfs: async () => ({ bavail: 10, bsize: 4096 }) })));
    expect(f.code).toBe('DISK_SPACE');
    expect(f.params.have).toBe(40960);
    expect(downloadFailureText('zh-CN', f)).toMatch(/需要约 \d+(\.\d)? MB，.+ 所在的磁盘只剩 40\.0 KB/);
  });
});

describe('the catalogue', () => {
  it('has every code in both languages, also in the renderer’s catalogue, with the same placeholders', () => {
    for (const code of DOWNLOAD_ERROR_CODES) {
      const key = `download.error.${code}` as const;
      const zh = downloadMessages['zh-CN'][key];
      const en = downloadMessages.en[key];
      expect(zh, code).toBeTruthy();
      expect(en, code).toBeTruthy();
      const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(holes(zh), code).toEqual(holes(en));
      expect(messages['zh-CN'][key]).toBe(zh);
      expect(messages.en[key]).toBe(en);
      expect(englishWordsIn(zh.replace(/\{\w+\}/g, ''), BRANDS), code).toEqual([]);
    }
    expect(everyCodeHasAMessage).toBe(true);
  });

  it('an unknown code reads as an unexpected failure, never as raw text', () => {
    const text = downloadFailureText('zh-CN', { code: 'WHATEVER', params: { detail: 'getaddrinfo ENOTFOUND' }, attempts: [] });
    expect(text).toBe(downloadMessages['zh-CN']['download.error.INTERNAL']);
  });
});

describe('source order follows the UI language', () => {
  it('zh-CN: ModelScope and hf-mirror before Hugging Face; en: Hugging Face first; saved lists win', () => {
    const names = (xs: { name: string }[]) => xs.map((x) => x.name);
    expect(names(resolveSources({ env: '', lang: 'zh-CN' }))).toEqual(['modelscope', 'hf-mirror', 'huggingface']);
    expect(names(resolveSources({ env: '', lang: 'en' }))).toEqual(['huggingface', 'hf-mirror', 'modelscope']);
    expect(names(resolveSources({ env: '' }))).toEqual(['huggingface', 'hf-mirror', 'modelscope']);
    expect(names(resolveSources({ env: '', lang: 'zh-CN', config: ['huggingface'] }))).toEqual(['huggingface']);
  });

  it('a download started from a Chinese UI tries ModelScope first and reports each source', async () => {
    const tried: string[] = [];
    // No network here: every host fails as an unknown name does.
    const offline = async (url: string): Promise<Response> => {
      tried.push(new URL(url).host);
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${new URL(url).host}`), { code: 'ENOTFOUND' }) });
    };
    const registry = new DownloadRegistry({
      modelsDir,
      catalogue: () => loadCatalogue(),
      savedSources: () => undefined,
      validate: async () => undefined,
      hooks: { fetchImpl: offline },
      log: createLogger('test', 'error'),
    });
    const prev = process.env.SHIGUANG_MODEL_SOURCES;
    delete process.env.SHIGUANG_MODEL_SOURCES;
    try {
      registry.start('cn-clip-vit-b-16', 'fp32', undefined, 'zh-CN');
      while (registry.list()[0]?.state === 'running') await new Promise((r) => setTimeout(r, 20));
      await registry.close();
    } finally {
      if (prev !== undefined) process.env.SHIGUANG_MODEL_SOURCES = prev;
    }
    const d = registry.list()[0]!;
    expect(tried[0]).toBe('www.modelscope.cn');
    expect(d.state).toBe('failed');
    expect(d.failure?.code).toBe('UNREACHABLE');
    expect(d.failure?.attempts.map((a) => a.source)).toEqual(['modelscope', 'hf-mirror', 'huggingface']);
    const zh = downloadFailureText('zh-CN', d.failure!);
    expect(zh).toContain('依次尝试了：魔搭 ModelScope：无法连接；hf-mirror：无法连接；Hugging Face：无法连接');
    expect(zh).not.toContain('ENOTFOUND');
  });
});
