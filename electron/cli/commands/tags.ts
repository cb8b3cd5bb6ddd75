import path from 'node:path';
import type { Command } from 'commander';
import { action, printJson, withEngine } from '../context.ts';
import { followTagPrompts } from '../progress-bar.ts';
import type { Engine } from '../../engine/engine.ts';
import { cliLanguage, t } from '../i18n.ts';

/** The first time for a model, the tag prompts are encoded: show it rather than seem to hang. */
async function prepareTagPrompts(engine: Engine): Promise<void> {
  if (engine.tags.isReady()) return;
  const bar = followTagPrompts();
  await engine.tags.ensureTagVectors({ onProgress: bar.update }).finally(bar.stop);
}

export function registerTagsCommands(program: Command): void {
  const tags = program.command('tags').description(t('tags.description'));

  tags
    .command('list')
    .description(t('tags.list.description'))
    .option('--json', t('opt.json'))
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const list = engine.tags.listTags();
          if (opts.json) return printJson(list);
          // In Chinese the tag and its family as the app shows them; in English with the tag's gloss.
          const zh = cliLanguage() === 'zh-CN';
          for (const tag of list.filter((x) => x.photoCount > 0 || x.custom)) {
            const name = zh || !tag.nameEn ? tag.name : `${tag.name} (${tag.nameEn})`;
            const family = tag.familyName ? tag.familyName[zh ? 'zh' : 'en'] : tag.family;
            process.stdout.write(`${name}  ${family}${tag.custom ? t('tags.custom') : ''}  ${tag.photoCount}\n`);
          }
          // No tag rows yet: the taxonomy is written when the tags are first prepared ("0 tags" said otherwise).
          if (list.length === 0) process.stdout.write(`${t('tags.notPrepared')}\n`);
          else process.stdout.write(`${t('tags.list.summary', { total: list.length, used: list.filter((x) => x.photoCount > 0).length })}\n`);
        });
      }),
    );

  tags
    .command('photo')
    .description(t('tags.photo.description'))
    .argument('<photo>')
    .option('--json', t('opt.json'))
    .action(
      action(async (photo: string, opts: { json?: boolean }, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const row = engine.library.photoAt(photo);
          if (!row) throw new Error(t('error.notInLibrary', { path: path.resolve(photo) }));
          const list = engine.library.photoTags(row.id);
          if (opts.json) return printJson(list);
          if (!list.length) process.stdout.write(`${t('tags.none')}\n`);
          for (const tag of list) process.stdout.write(`${tag.name}  ${tag.score.toFixed(3)}\n`);
        });
      }),
    );

  tags
    .command('album')
    .description(t('tags.album.description'))
    .argument('<folder>')
    .option('--json', t('opt.json'))
    .action(
      action(async (folder: string, opts: { json?: boolean }, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const s = engine.tags.albumSummary(path.resolve(folder));
          if (opts.json) return printJson(s);
          const tagText = s.tags.map((tag) => `${tag.name} ${tag.weight.toFixed(2)}`).join(', ') || t('tags.album.noTags');
          process.stdout.write(`${s.title}\n${t('tags.album.summary', { count: s.photoCount, tags: tagText })}\n`);
        });
      }),
    );

  tags
    .command('add')
    .description(t('tags.add.description'))
    .argument('<name>')
    .action(
      action(async (name: string, _o: unknown, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          await prepareTagPrompts(engine);
          const tag = await engine.tags.addCustomTag(name);
          process.stdout.write(`${t('tags.add.done', { name: tag.name, count: tag.photoCount })}\n`);
        });
      }),
    );

  tags
    .command('remove')
    .description(t('tags.remove.description'))
    .argument('<name>')
    .action(
      action(async (name: string, _o: unknown, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const { removed } = await engine.tags.removeTag(name);
          process.stdout.write(`${removed ? t('tags.remove.done', { name }) : t('tags.remove.none', { name })}\n`);
          if (!removed) process.exitCode = 1;
        });
      }),
    );

  tags
    .command('apply')
    .description(t('tags.apply.description'))
    .action(
      action(async (_o: unknown, cmd: Command) => {
        await withEngine(cmd, { autoTag: false }, async (engine) => {
          const t0 = Date.now();
          await prepareTagPrompts(engine);
          const r = await engine.tags.tagAll();
          process.stdout.write(`${t('tags.apply.done', { photos: r.photos, assigned: r.assigned, seconds: ((Date.now() - t0) / 1000).toFixed(1) })}\n`);
        });
      }),
    );
}
