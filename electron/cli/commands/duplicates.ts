/**
 * `duplicates [--kind exact|near|burst] [--json]`: the duplicates report as the app's view shows
 * it — each kind apart, most space to free first, the cover marked. Reads only: the app never
 * deletes, moves or writes a photo, and says so.
 */
import type { Command } from 'commander';
import { action, printJson, withEngine } from '../context.ts';
import { parseRequest, type DuplicateGroup, type StackKind } from '../../shared/api.ts';
import { t } from '../i18n.ts';

const KINDS: readonly StackKind[] = ['exact', 'near', 'burst'];

/** Bytes as people read them (MB with one decimal, KB below a megabyte). */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.max(0, Math.round(n / 1e3))} KB`;
}

function printText(groups: Map<StackKind, DuplicateGroup[]>): void {
  let count = 0;
  let extra = 0;
  for (const [kind, list] of groups) {
    if (list.length === 0) continue;
    const bytes = list.reduce((n, g) => n + g.extraBytes, 0);
    count += list.length;
    extra += bytes;
    process.stdout.write(`${t('duplicates.heading', { kind: t(`stack.kind.${kind}`), groups: list.length, extra: formatBytes(bytes) })}\n`);
    for (const g of list) {
      const frames = g.frames !== undefined ? t('duplicates.frames', { frames: g.frames }) : '';
      process.stdout.write(`${t('duplicates.group', { size: g.size, extra: formatBytes(g.extraBytes), frames })}\n`);
      for (const p of g.paths) process.stdout.write(`    ${p === g.cover ? '*' : ' '} ${p}${p === g.cover ? `  ${t('duplicates.cover')}` : ''}\n`);
    }
    process.stdout.write('\n');
  }
  process.stdout.write(`${count === 0 ? t('duplicates.none') : t('duplicates.total', { groups: count, extra: formatBytes(extra) })}\n`);
}

export function registerDuplicatesCommand(program: Command): void {
  program
    .command('duplicates')
    .description(t('duplicates.description'))
    .option('--kind <kind>', t('duplicates.opt.kind'))
    .option('--json', t('duplicates.opt.json'))
    .action(
      action(async (opts: { kind?: string; json?: boolean }, cmd: Command) => {
        const kinds = opts.kind === undefined ? KINDS : [parseRequest('duplicates', { kind: opts.kind }).kind];
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const groups = new Map<StackKind, DuplicateGroup[]>();
          for (const kind of kinds) {
            const first = engine.stacks.duplicates(kind, 1, 0);
            groups.set(kind, engine.stacks.duplicates(kind, Math.max(1, first.totals[kind].groups), 0).groups);
          }
          if (opts.json) {
            printJson(
              [...groups.values()].flat().map(({ photos: _photos, ...g }) => g),
            );
          } else printText(groups);
        });
      }),
    );
}
