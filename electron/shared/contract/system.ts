/** The system service: the engine's status (indexing, per-photo passes, model, provider) and rebuilding a damaged library. */
import { z } from 'zod';
import type { OcrStatus } from './ocr.ts';
import type { FolderOffline } from './library.ts';

export interface IndexProgress {
  /** True while a scan or encoding pass is running. */
  running: boolean;
  done: number;
  total: number;
  /** Photos encoded per second over the recent window. */
  rate: number;
  etaSeconds: number | null;
  current: string | null;
}

export interface ProviderReport {
  /** The execution provider in use, e.g. 'cpu', 'cuda', 'dml', 'coreml'. */
  name: string;
  /** Providers tried before it and why they were not used. */
  /** `kind` words it in any language; `reason` is ONNX Runtime's English (logs, the English UI). */
  fallbacks: { provider: string; reason: string; kind?: 'not-installed' | 'failed' }[];
  /** Advice about this combination, e.g. an fp16 graph running on the CPU. */
  notes?: string[];
}

/** Why a pass that still owes work is not running right now. */
export type PassWait =
  /** Photos are waiting to be embedded: passes run only while nothing does. */
  | 'indexing'
  /** Turned off in the settings. */
  | 'off'
  /** Needs a preparation a one-shot command does not make (tag prompts: `index --tags`, `tags apply`). */
  | 'needs-preparation'
  /** A model switch is building the new vectors; passes that read them wait for it. */
  | 'model-switch'
  /** Its last run stopped with an error (see `error`); the next indexing pass retries. */
  | 'error'
  /** This install cannot do it (videos: no video decoder for this platform; the items stay pending). */
  | 'unavailable';

/** One registered per-photo pass (tags, text in photos, …) as status reports it. */
export interface PassStatus {
  /** The pass's name: 'tags', 'ocr', … (the UI labels it). */
  name: string;
  /** Running now (it may be preparing: `preparing`). */
  running: boolean;
  /** Encoding what the pass needs before its first photo (tag prompts): done / total of that. */
  preparing: { done: number; total: number } | null;
  /** Photos the pass has handled at their current content and its current version, failed on, still owes. */
  done: number;
  failed: number;
  pending: number;
  /** Photos per second over the recent window. */
  rate: number;
  etaSeconds: number | null;
  current: string | null;
  /** Why it is not running though photos are pending ('off' whenever it is turned off); null when running or nothing is owed. */
  waiting: PassWait | null;
  error: string | null;
}

export interface EngineStatus {
  /** Every library item: photos and videos. */
  counts: { indexed: number; pending: number; skipped: number };
  /** The videos among them (a video is pending until the video pass has sampled its frames); absent without a model. */
  videos?: { indexed: number; pending: number; skipped: number };
  progress: IndexProgress;
  model: { id: string; name: string; embeddingDim: number } | null;
  provider: ProviderReport | null;
  /** Reading the text in photos, apart from embedding them; null without a model. */
  ocr: OcrStatus | null;
  /** Every registered per-photo pass, in the order they run; [] without a model. */
  passes: PassStatus[];
  /** Library folders that are away right now; their photos are kept and still found, marked offline. */
  offlineFolders?: (FolderOffline & { id: number; path: string })[];
  /**
   * Changes whenever an indexing pass or a per-photo pass run changed what lists show (albums,
   * tags, folders): reload them when it differs from the last one seen — however quick the pass was.
   */
  libraryGeneration?: number;
}

export const systemRequests = {
  status: z.object({}).strict(),
  /** After LIBRARY_DAMAGED, once the person agreed: set the damaged file aside and rebuild from the photos. */
  rebuildLibrary: z.object({}).strict(),
} as const;

export interface SystemResponses {
  status: EngineStatus;
  rebuildLibrary: { aside: string; folders: string[]; missingFolders: string[]; customTags: string[] };
}
