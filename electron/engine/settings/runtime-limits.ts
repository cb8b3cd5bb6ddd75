/**
 * The values that reach the model runtime, checked where they enter — the settings API, the
 * settings file, the CLI's flags and the environment — with a message that says what is allowed.
 * No value may make the engine unresponsive: threads are 1 … the machine's logical cores (each
 * ONNX Runtime session starts that many; see ml/threads.ts), providers come from the known list.
 */
import { apiError } from '../../shared/api.ts';
import { logicalCores } from '../ml/threads.ts';
import { parseProviderPreference, type ProviderPreference } from '../ml/providers.ts';

/** `threads` as given by a person (a number, or the text of a flag): refused with BAD_REQUEST unless 1 … cores. */
export function checkThreads(value: unknown, what = 'threads'): number {
  const cores = logicalCores();
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > cores) {
    throw apiError('threads-range', { max: String(cores) }, `${what} must be a whole number from 1 to ${cores} (this machine's logical cores), got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A saved thread count from before it was checked: kept within the cores, with a note why. */
export function clampSavedThreads(saved: number, warn: (line: string) => void): number {
  const cores = logicalCores();
  if (saved <= cores) return saved;
  warn(`settings: threads ${saved} is more than this machine's ${cores} logical cores; using ${cores}`);
  return cores;
}

/** A provider name as given by a person: refused with BAD_REQUEST unless known. */
export function checkProvider(value: string): ProviderPreference {
  try {
    return parseProviderPreference(value);
  } catch (err) {
    throw apiError('provider-unknown', { value }, err instanceof Error ? err.message : String(err));
  }
}
