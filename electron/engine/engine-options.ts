/** What the engine is opened with (engine.ts); the composition root (app/) fills it from the settings and this run's flags. */
import type { IndexerOptions } from './index/indexer.ts';
import type { WatcherOptions } from './library/watcher.ts';
import type { TowerSessionOptions } from './ml/onnx-session.ts';
import type { VectorSearchMode } from './search/vector-search.ts';
import type { VideoPassOptions } from './video-frames/video-pass.ts';
import type { Logger } from './util/log.ts';
import type { EngineEvent } from './engine-events.ts';

export interface EngineOptions {
  dbPath: string;
  modelDir: string;
  /** Where thumbnails are cached. Default: beside the database. */
  cacheDir?: string;
  session?: TowerSessionOptions;
  watcher?: WatcherOptions;
  /** Zero-shot tagging of photos (default true). */
  autoTag?: boolean;
  /**
   * When per-photo passes run: 'background' once the indexer is idle, preparing what they need
   * (tag prompts) on the way (long-running processes); 'on-demand' only through passes.runAll()
   * (default: one-shot commands).
   */
  passes?: 'background' | 'on-demand';
  /** The vector search path (default 'index'; one-shot CLI queries use 'sqlite'). */
  vectorSearch?: VectorSearchMode;
  /** The OCR setting, read whenever a pass would start (default: on). */
  ocrEnabled?: () => boolean;
  /** Where search results end (settings: searchSensitivity, −3 … 3), read at each list's first page (default 0). */
  searchSensitivity?: () => number;
  /** An OCR model directory or manifest instead of the shipped PP-OCRv4 (SHIGUANG_OCR_MODEL). */
  ocrModel?: string;
  /** Video sampling and the "still being copied" quiet time (tests, benchmarks; defaults in video/). */
  video?: VideoPassOptions;
  /** A fixed "now" for queries' relative times (SHIGUANG_NOW; tests); default the clock. */
  now?: number;
  /** Encoder batch and decoder concurrency overrides (benchmarks, tests). */
  indexer?: Pick<IndexerOptions, 'batchSize' | 'decodeConcurrency'>;
  /** What the running engine reports besides its log: changes, background passes' rounds, folders away and back. */
  onEvent?: (event: EngineEvent) => void;
  logger?: Logger;
}
