import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { getEntry, variantFor } from '../../electron/engine/models/catalogue.ts';
import { resolveFetch } from '../../electron/engine/models/fetch.ts';
import { fileUrl, parseSource, parseSourceList, resolveSources } from '../../electron/engine/models/sources.ts';
import { startHub, startProxy } from './models-fixture-hub.ts';

const undiciAvailable = (() => {
  try {
    createRequire(import.meta.url).resolve('undici');
    return true;
  } catch {
    return false;
  }
})();

describe('model sources', () => {
  it('parses built-in names, hub-compatible bases and plain bases', () => {
    expect(parseSource('hf-mirror')).toEqual({ name: 'hf-mirror', base: 'https://hf-mirror.com', hub: 'huggingface' });
    expect(parseSource('hf:https://mirror.example/')).toMatchObject({ base: 'https://mirror.example', hub: 'huggingface' });
    expect(parseSource('modelscope:https://ms.example')).toMatchObject({ base: 'https://ms.example', hub: 'modelscope' });
    expect(parseSource('http://nas.local:8080/models')).toMatchObject({ base: 'http://nas.local:8080/models', hub: 'plain' });
    expect(() => parseSource('githubb')).toThrow(/unknown model source "githubb"/);
    expect(() => parseSource('hf:ftp://x')).toThrow();
    expect(parseSourceList('hf-mirror, huggingface,hf-mirror').map((s) => s.name)).toEqual(['hf-mirror', 'huggingface']);
  });

  it('takes --source over the environment over the config over the built-in order', () => {
    const names = (xs: { name: string }[]) => xs.map((x) => x.name);
    expect(names(resolveSources({ env: '' }))).toEqual(['huggingface', 'hf-mirror', 'modelscope']);
    expect(names(resolveSources({ env: '', config: ['modelscope'] }))).toEqual(['modelscope']);
    expect(names(resolveSources({ env: 'hf-mirror', config: ['modelscope'] }))).toEqual(['hf-mirror']);
    expect(names(resolveSources({ cli: ['huggingface'], env: 'hf-mirror', config: ['modelscope'] }))).toEqual(['huggingface']);
  });

  it('builds hub URLs from the catalogue mirrors, and none where a hub has no copy', () => {
    const b16 = getEntry('cn-clip-vit-b-16')!;
    const fp32 = variantFor(b16, 'fp32')!;
    const plain = { modelId: b16.id, precision: 'fp32' };
    expect(fileUrl(parseSource('hf-mirror'), fp32.mirrors, 'vit-b-16.img.fp32.onnx', plain)?.url).toBe(
      'https://hf-mirror.com/eisneim/cn-clip_vit-b-16/resolve/0ab0e0ce47e796c2b98d2e3cc4d1190c9b3d426d/vit-b-16.img.fp32.onnx',
    );
    expect(fileUrl(parseSource('modelscope'), fp32.mirrors, 'vit-b-16.txt.fp32.onnx', plain)?.url).toBe(
      'https://www.modelscope.cn/models/deadash/chinese_clip_ViT-B-16/resolve/master/models/Vit-B-16.txt.fp32.onnx',
    );
    expect(fileUrl(parseSource('http://nas.local/m'), fp32.mirrors, 'vit-b-16.txt.fp32.onnx', plain)?.url).toBe(
      'http://nas.local/m/cn-clip-vit-b-16/fp32/vit-b-16.txt.fp32.onnx',
    );
    const fp16 = variantFor(b16, 'fp16')!;
    expect(fileUrl(parseSource('modelscope'), fp16.mirrors, 'vit-b-16.img.fp16.onnx', plain)).toBeNull();
  });
});

describe('download fetch and proxies', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()!();
  });

  it('uses the injected fetch, else the built-in one when no proxy is set', async () => {
    const injected = (async () => new Response('x')) as typeof fetch;
    expect((await resolveFetch(injected, {})).via).toBe('injected');
    expect((await resolveFetch(undefined, {})).via).toBe('global');
    expect((await resolveFetch(undefined, { HTTPS_PROXY: 'http://proxy:3128', NODE_USE_ENV_PROXY: '1' })).via).toBe('node-env-proxy');
  });

  it.skipIf(!undiciAvailable)('sends downloads through HTTP_PROXY when one is set', async () => {
    const hub = await startHub();
    const proxy = await startProxy();
    closers.push(hub.close, proxy.close);
    hub.files.set('/f.bin', Buffer.from('model bytes'));
    const { fetch, via } = await resolveFetch(undefined, { HTTP_PROXY: proxy.url, NO_PROXY: '' });
    expect(via).toBe('undici-env-proxy');
    const res = await fetch(`${hub.url}/f.bin`, {});
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('model bytes');
    expect(proxy.seen.some((l) => l.includes(new URL(hub.url).host))).toBe(true);
  });
});
