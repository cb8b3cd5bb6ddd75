#!/usr/bin/env node
/**
 * shiguang — the 拾光 engine from the command line (`npm run cli -- <command>`).
 * Every command takes --db PATH and --model DIR; defaults live in the user's data directory.
 */
import { Command } from 'commander';
import { defaultLogLevel, localiseCommander, resolveCliLanguage, setCliLanguage, t } from './i18n.ts';
import { registerIndexCommands } from './commands/index-watch.ts';
import { registerSearchCommands } from './commands/search.ts';
import { registerStatusCommand } from './commands/status.ts';
import { registerInspectCommands } from './commands/inspect.ts';
import { registerModelsCommands } from './commands/models.ts';
import { registerTagsCommands } from './commands/tags.ts';
import { registerEvalCommands } from './commands/eval.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerDuplicatesCommand } from './commands/duplicates.ts';
import { dataPaths } from '../engine/app/paths.ts';
import { prepareModelDir } from '../engine/ml/prepare-model.ts';

// The language first (--lang, SHIGUANG_LANG, the system locale): every help text below uses it.
try {
  setCliLanguage(resolveCliLanguage(process.argv.slice(2)));
} catch (err) {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}

process.env.SHIGUANG_LOG ||= defaultLogLevel(process.argv.slice(2));

const program = localiseCommander(new Command());
program
  .name('shiguang')
  .description(t('program.description'))
  .option('--db <path>', t('opt.db'))
  .option('--model <dir>', t('opt.model'))
  .option('--provider <name>', t('opt.provider'))
  .option('--threads <n>', t('opt.threads'))
  .option('--rebuild-damaged', t('opt.rebuildDamaged'))
  .option('--lang <lang>', t('opt.lang'))
  .showHelpAfterError()
  // A value outside a flag's choices is a refused value, exit code 2 like the others (context.ts
  // UsageError, a request the contract refuses); other parse errors keep commander's 1.
  .exitOverride((err) => {
    if (err.code === 'commander.invalidArgument') process.exit(2);
  });

registerIndexCommands(program);
registerSearchCommands(program);
registerStatusCommand(program);
registerInspectCommands(program);
registerTagsCommands(program);
registerEvalCommands(program);
registerServeCommand(program);
registerDuplicatesCommand(program);
registerModelsCommands(program, { modelsDir: () => dataPaths().models, configFile: () => dataPaths().config }, {
  // Test encode, then short sequences for the text tower where they are proven exact.
  validate: async (dir) => {
    const tower = await prepareModelDir(dir);
    if (tower.kind === 'short') process.stderr.write(`${t('models.prepared.short', { lengths: tower.lengths })}\n`);
    if (tower.kind === 'fixed') process.stderr.write(`${t('models.prepared.fixed')}\n`);
  },
});

await program.parseAsync(process.argv);
