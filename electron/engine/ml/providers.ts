/**
 * Execution providers: which ones to try, in what order, on which platform, and whether each is
 * even installed. Trying is done by the session factory (./onnx-session.ts), which falls back to
 * the next provider when creating a session or a first test inference fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export type ProviderName = 'tensorrt' | 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';
export const PROVIDER_NAMES: readonly ProviderName[] = ['tensorrt', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

export type ProviderPreference = 'auto' | ProviderName;

export interface ProviderFallback {
  provider: string;
  /** Why, in ONNX Runtime's or our words (English: for logs and the English UI). */
  reason: string;
  /** What the UI says in any language: not part of this install, or it failed to run the model. */
  kind: 'not-installed' | 'failed';
}

/**
 * The order `auto` tries on a platform. CPU is always last and always present. WebGPU is
 * experimental in onnxruntime-node and stays off unless asked for.
 */
export function providerOrder(
  platform: NodeJS.Platform,
  arch: string,
  pref: ProviderPreference = 'auto',
  opts: { enableWebgpu?: boolean } = {},
): ProviderName[] {
  if (pref !== 'auto') return pref === 'cpu' ? ['cpu'] : [pref, 'cpu'];
  const order: ProviderName[] = [];
  if (platform === 'linux' && arch === 'x64') order.push('tensorrt', 'cuda');
  if (platform === 'win32') order.push('dml');
  if (platform === 'darwin') order.push('coreml');
  if (opts.enableWebgpu) order.push('webgpu');
  order.push('cpu');
  return order;
}

export interface BackendInfo {
  name: string;
  bundled: boolean;
}

/**
 * CUDA and TensorRT are not bundled in the npm package: their provider libraries are fetched by
 * onnxruntime-node's install script only on opt-in (see docs/models.md), and they need the
 * NVIDIA runtime libraries on the system. Report that plainly rather than letting ORT fail deep down.
 */
export function notInstalledReason(name: ProviderName, backends: readonly BackendInfo[], binDir: string | null): string | null {
  const info = backends.find((b) => b.name === name);
  if (name === 'cpu') return null;
  if (!info) return `${name} is not available in this build of onnxruntime-node`;
  if (info.bundled) return null;
  const lib = name === 'cuda' ? 'libonnxruntime_providers_cuda.so' : 'libonnxruntime_providers_tensorrt.so';
  if (binDir && fs.existsSync(path.join(binDir, lib))) return null;
  return `${name} provider library (${lib}) is not installed; fetch it with "ONNXRUNTIME_NODE_INSTALL=true node node_modules/onnxruntime-node/script/install" (Linux x64, CUDA 12 + cuDNN 9; see docs/models.md)`;
}

/** Where onnxruntime-node keeps its native binding and provider libraries for this platform. */
export function onnxruntimeBinDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const napiDirs = fs.readdirSync(path.join(pkg, 'bin')).filter((d) => d.startsWith('napi-v'));
    for (const d of napiDirs) {
      const dir = path.join(pkg, 'bin', d, process.platform, process.arch);
      if (fs.existsSync(dir)) return dir;
    }
  } catch {
    // Packaged layouts may differ; the provider will then be tried and fail with ORT's own reason.
  }
  return null;
}

/** Parse a preference from settings/CLI, refusing unknown names with a clear message. */
export function parseProviderPreference(value: string | undefined): ProviderPreference {
  if (!value || value === 'auto') return 'auto';
  const v = value.toLowerCase() === 'directml' ? 'dml' : value.toLowerCase();
  if ((PROVIDER_NAMES as readonly string[]).includes(v)) return v as ProviderName;
  throw new Error(`unknown execution provider "${value}" (expected auto, ${PROVIDER_NAMES.join(', ')})`);
}

/**
 * Walk the provider order: skip the ones not installed, try the rest with `attempt` (create a
 * session and run a first test inference), and return the first that works with the reasons the
 * earlier ones were passed over. CPU failing is a real error and propagates.
 */
export async function selectProvider<T>(
  order: readonly ProviderName[],
  backends: readonly BackendInfo[],
  binDir: string | null,
  attempt: (provider: ProviderName) => Promise<T>,
): Promise<{ provider: ProviderName; value: T; fallbacks: ProviderFallback[] }> {
  const fallbacks: ProviderFallback[] = [];
  for (const provider of order) {
    const missing = notInstalledReason(provider, backends, binDir);
    if (missing) {
      fallbacks.push({ provider, reason: missing, kind: 'not-installed' });
      continue;
    }
    try {
      return { provider, value: await attempt(provider), fallbacks };
    } catch (err) {
      if (provider === 'cpu' || err instanceof ModelContractError) throw err;
      fallbacks.push({ provider, reason: err instanceof Error ? err.message.split('\n')[0] : String(err), kind: 'failed' });
    }
  }
  throw new Error(`no execution provider could run the model: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}`);
}

/** The graph does not match its manifest: no provider will fix that, so stop trying. */
export class ModelContractError extends Error {
  override name = 'ModelContractError';
}
