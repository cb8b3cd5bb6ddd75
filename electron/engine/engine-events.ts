/**
 * What a running engine reports as it goes, besides its log: the watched folders' changes, what a
 * background pass did, a folder going away or coming back. Numbers and codes, never sentences, so
 * that whoever listens says them in the person's language (the CLI's `watch`); the log keeps its
 * English lines for bug reports.
 */
import type { OfflineReason } from './library/root-availability.ts';
import type { PassReport } from './passes/pass.ts';

export type EngineEvent =
  /** A batch of changes the watcher applied. */
  | { kind: 'changes'; added: number; changed: number; moved: number; copied: number; removed: number; encoded: number; skipped: number }
  /** A background pass finished a round with something done (`report.counts`: its own figures). */
  | { kind: 'pass'; pass: string; report: PassReport }
  | { kind: 'folder-offline'; path: string; reason: OfflineReason }
  | { kind: 'folder-online'; path: string };
