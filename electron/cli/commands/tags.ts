import path from 'node:path';
import type { Command } from 'commander';
import { action, printJson, withEngine } from '../context.ts';
import { followTagPrompts } from '../progress-bar.ts';
import type { Engine } from '../../engine/engine.ts';

/** The first time for a model, the tag prompts are encoded: show it rather than seem to hang. */
async function prepareTagPrompts(engine: Engine): Promise<void> {
  if (engine.tags.isReady()) return;
  const bar = followTagPrompts();
  await engine.tags.ensureTagVectors({ onProgress: bar.update }).finally(bar.stop);
}

export function registerTagsCommands(program: Command): void {
  const tags = program.command('tags').description('zero-shot tags for photos and albums (Chinese taxonomy + your own tags)');

  tags
    .command('list')
    .description('every tag with its family and photo count')
    .option('--json', 'machine-readable')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const list = engine.tags.listTags();
          if (opts.json) return printJson(list);
          for (const t of list.filter((x) => x.photoCount > 0 || x.custom)) {
            process.stdout.write(`${t.name}${t.nameEn ? ` (${t.nameEn})` : ''}  ${t.family}${t.custom ? ' custom' : ''}  ${t.photoCount}\n`);
          }
          process.stdout.write(`${list.length} tags, ${list.filter((x) => x.photoCount > 0).length} in use\n`);
        });
      }),
    );

  tags
    .command('photo')
    .description("a photo's tags with scores")
    .argument('<photo>')
    .option('--json', 'machine-readable')
    .action(
      action(async (photo: string, opts: { json?: boolean }, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const row = engine.library.photoAt(photo);
          if (!row) throw new Error(`not in the library: ${path.resolve(photo)}`);
          const list = engine.library.photoTags(row.id);
          if (opts.json) return printJson(list);
          if (!list.length) process.stdout.write('no tags\n');
          for (const t of list) process.stdout.write(`${t.name}  ${t.score.toFixed(3)}\n`);
        });
      }),
    );

  tags
    .command('album')
    .description("an album's (folder's) dominant tags and a suggested title")
    .argument('<folder>')
    .option('--json', 'machine-readable')
    .action(
      action(async (folder: string, opts: { json?: boolean }, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const s = engine.tags.albumSummary(path.resolve(folder));
          if (opts.json) return printJson(s);
          process.stdout.write(`${s.title}\n${s.photoCount} photos: ${s.tags.map((t) => `${t.name} ${t.weight.toFixed(2)}`).join(', ') || 'no dominant tags'}\n`);
        });
      }),
    );

  tags
    .command('add')
    .description('a custom tag ("我家的橘猫", "发票"), applied to the whole library at once')
    .argument('<name>')
    .action(
      action(async (name: string, _o: unknown, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          await prepareTagPrompts(engine);
          const t = await engine.tags.addCustomTag(name);
          process.stdout.write(`added ${t.name}: ${t.photoCount} photos\n`);
        });
      }),
    );

  tags
    .command('remove')
    .description('remove a custom tag and its assignments')
    .argument('<name>')
    .action(
      action(async (name: string, _o: unknown, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const { removed } = await engine.tags.removeTag(name);
          process.stdout.write(removed ? `removed ${name}\n` : `no custom tag ${name}\n`);
          if (!removed) process.exitCode = 1;
        });
      }),
    );

  tags
    .command('apply')
    .description('re-tag every photo (after changing thresholds or the taxonomy)')
    .action(
      action(async (_o: unknown, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const t0 = Date.now();
          await prepareTagPrompts(engine);
          const r = await engine.tags.tagAll();
          process.stdout.write(`tagged ${r.photos} photos (${r.assigned} tags) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
        });
      }),
    );
}
