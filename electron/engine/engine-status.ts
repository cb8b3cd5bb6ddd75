/**
 * The engine's status as the API reports it: counts, progress, model and provider, each per-photo
 * pass, offline folders, and the generation lists reload on. Read from the services; no state here.
 */
import type { EngineStatus } from '../shared/api.ts';
import type { Indexer } from './index/indexer.ts';
import type { LibraryService } from './library/library-service.ts';
import type { ModelRuntime } from './ml/model-runtime.ts';
import type { OcrService } from './ocr/ocr-service.ts';
import type { PassScheduler } from './passes/scheduler.ts';

export interface StatusSources {
  library: LibraryService;
  indexer: Indexer;
  model: ModelRuntime;
  passes: PassScheduler;
  ocr: OcrService;
  /** Indexing passes ended so far (the engine counts them). */
  generation: number;
}

export async function engineStatus(s: StatusSources): Promise<EngineStatus> {
  const m = s.model.model.manifest;
  const passes = s.passes.status();
  return {
    counts: s.library.counts(),
    videos: s.library.videoCounts(),
    progress: s.indexer.snapshot(),
    model: { id: m.id, name: m.name, embeddingDim: m.embeddingDim },
    provider: await s.model.providerReport(),
    ocr: s.ocr.status(passes.find((p) => p.name === s.ocr.pass.name)!),
    passes,
    offlineFolders: s.library.offlineFolders(),
    // Every indexing pass, and every per-photo pass run that ended (tags ready: album titles).
    libraryGeneration: s.generation + passes.reduce((n, p) => n + (p.running ? 0 : p.done), 0),
  };
}
