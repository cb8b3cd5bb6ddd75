import { describe, expect, it } from 'vitest';
import { ModelContractError, notInstalledReason, parseProviderPreference, providerOrder, selectProvider, type BackendInfo } from '../../electron/engine/ml/providers.ts';

const linuxBackends: BackendInfo[] = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];

describe('execution provider order', () => {
  it('tries GPU providers per platform, CPU last', () => {
    expect(providerOrder('linux', 'x64')).toEqual(['tensorrt', 'cuda', 'cpu']);
    expect(providerOrder('win32', 'x64')).toEqual(['dml', 'cpu']);
    expect(providerOrder('darwin', 'arm64')).toEqual(['coreml', 'cpu']);
    expect(providerOrder('linux', 'arm64')).toEqual(['cpu']);
  });
  it('keeps WebGPU off unless enabled', () => {
    expect(providerOrder('linux', 'x64', 'auto', { enableWebgpu: true })).toEqual(['tensorrt', 'cuda', 'webgpu', 'cpu']);
  });
  it('honours an explicit preference but keeps CPU as the fallback', () => {
    expect(providerOrder('linux', 'x64', 'cuda')).toEqual(['cuda', 'cpu']);
    expect(providerOrder('linux', 'x64', 'cpu')).toEqual(['cpu']);
  });
  it('parses preferences and refuses unknown names', () => {
    expect(parseProviderPreference('DirectML')).toBe('dml');
    expect(parseProviderPreference(undefined)).toBe('auto');
    expect(() => parseProviderPreference('tpu')).toThrow(/unknown execution provider "tpu"/);
  });
});

describe('provider selection with fallback', () => {
  it('CUDA missing → CPU, with the reason', async () => {
    const tried: string[] = [];
    const r = await selectProvider(providerOrder('linux', 'x64'), linuxBackends, null, async (p) => {
      tried.push(p);
      return `session on ${p}`;
    });
    expect(r.provider).toBe('cpu');
    expect(r.value).toBe('session on cpu');
    expect(tried).toEqual(['cpu']);
    expect(r.fallbacks.map((f) => f.provider)).toEqual(['tensorrt', 'cuda']);
    expect(r.fallbacks[1].reason).toMatch(/libonnxruntime_providers_cuda\.so.*not installed/);
    expect(r.fallbacks[1].kind).toBe('not-installed');
  });

  it('a provider that fails at session creation or first inference falls back with its error', async () => {
    const r = await selectProvider(['dml', 'cpu'], [{ name: 'cpu', bundled: true }, { name: 'dml', bundled: true }], null, async (p) => {
      if (p === 'dml') throw new Error('DirectML device removed\nstack…');
      return 1;
    });
    expect(r.provider).toBe('cpu');
    expect(r.fallbacks).toEqual([{ provider: 'dml', reason: 'DirectML device removed', kind: 'failed' }]);
  });

  it('does not fall back when the graph itself is wrong, and CPU errors propagate', async () => {
    await expect(
      selectProvider(['dml', 'cpu'], [{ name: 'cpu', bundled: true }, { name: 'dml', bundled: true }], null, async () => {
        throw new ModelContractError('image input "image" not found');
      }),
    ).rejects.toThrow(/not found/);
    await expect(selectProvider(['cpu'], linuxBackends, null, async () => Promise.reject(new Error('bad model')))).rejects.toThrow('bad model');
  });

  it('a provider not in this build is reported as unavailable', () => {
    expect(notInstalledReason('coreml', linuxBackends, null)).toMatch(/not available in this build/);
    expect(notInstalledReason('cpu', [], null)).toBeNull();
  });
});

describe('precision advice', () => {
  it('says to use fp32 when an fp16 export runs on the CPU, and nothing otherwise', async () => {
    const { precisionNotes } = await import('../../electron/engine/ml/onnx-session.ts');
    const model = (precision: 'fp16' | 'fp32' | 'mixed') =>
      ({ manifest: { id: 'cn-clip-vit-b-16', precision } }) as unknown as Parameters<typeof precisionNotes>[0];
    expect(precisionNotes(model('fp16'), 'cpu')[0]).toMatch(/fp16 is slow or unsupported.*--precision fp32/);
    expect(precisionNotes(model('mixed'), 'cpu')).toHaveLength(1);
    expect(precisionNotes(model('fp16'), 'cuda')).toEqual([]);
    expect(precisionNotes(model('fp32'), 'cpu')).toEqual([]);
  });
});
