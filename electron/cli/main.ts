#!/usr/bin/env node
/**
 * shiguang — the 拾光 engine from the command line (`npm run cli -- <command>`).
 * Every command takes --db PATH and --model DIR; defaults live in the user's data directory.
 */
import { Command } from 'commander';
import { registerIndexCommands } from './commands/index-watch.ts';
import { registerSearchCommands } from './commands/search.ts';
import { registerStatusCommand } from './commands/status.ts';
import { registerInspectCommands } from './commands/inspect.ts';
import { registerModelsCommands } from './commands/models.ts';
import { registerTagsCommands } from './commands/tags.ts';
import { registerEvalCommands } from './commands/eval.ts';
import { registerServeCommand } from './commands/serve.ts';
import { dataPaths } from '../engine/app/paths.ts';
import { validateModelDir } from '../engine/ml/validate-model.ts';

const program = new Command();
program
  .name('shiguang')
  .description('拾光 — find photos by what is in them, asked in Chinese (local Chinese-CLIP)')
  .option('--db <path>', 'library database (default: the user data dir, or SHIGUANG_DB)')
  .option('--model <dir>', 'model directory: a manifest.json, or an official Chinese-CLIP ONNX export (default: `models use`, or SHIGUANG_MODEL)')
  .option('--provider <name>', 'execution provider: auto, cuda, tensorrt, dml, coreml, webgpu, cpu (default auto)')
  .option('--threads <n>', 'intra-op threads for ONNX Runtime (default: all cores)')
  .showHelpAfterError();

registerIndexCommands(program);
registerSearchCommands(program);
registerStatusCommand(program);
registerInspectCommands(program);
registerTagsCommands(program);
registerEvalCommands(program);
registerServeCommand(program);
registerModelsCommands(program, { modelsDir: () => dataPaths().models, configFile: () => dataPaths().config }, { validate: validateModelDir });

await program.parseAsync(process.argv);
