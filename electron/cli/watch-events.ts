/**
 * `watch`'s running account in the CLI's language: each batch of changes, what a background pass
 * did, a folder going away and coming back (engine-events.ts). The engine's English log keeps
 * the same events, for bug reports (SHIGUANG_LOG=info shows it).
 */
import type { EngineEvent } from '../engine/engine-events.ts';
import { t } from './i18n.ts';
import type { CliMessageKey } from './messages.ts';

const PASS_LINES: Record<string, CliMessageKey> = {
  tags: 'tags.tagged', // index's own line, the same figure
  ocr: 'watch.pass.ocr',
  stacks: 'watch.pass.stacks',
  places: 'watch.pass.places',
  videos: 'watch.pass.videos',
};

/** The line for an event, or null when there is nothing to say (a batch that changed nothing). */
export function watchEventLine(e: EngineEvent): string | null {
  switch (e.kind) {
    case 'changes': {
      const { kind: _kind, ...c } = e;
      return Object.values(c).some((n) => n > 0) ? t('watch.changes', c) : null;
    }
    case 'pass': {
      const key = PASS_LINES[e.pass];
      // A pass this catalogue does not know yet still says something (its English line).
      return key ? t(key, e.report.counts) : `${e.pass}: ${e.report.text}`;
    }
    case 'folder-offline':
      return t('watch.folderOffline', { path: e.path, why: t(`status.offline.${e.reason}`) });
    case 'folder-online':
      return t('watch.folderOnline', { path: e.path });
  }
}
