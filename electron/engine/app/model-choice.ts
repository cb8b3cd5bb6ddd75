/**
 * The model and runtime options a command uses when it needs a model but not the library
 * (`inspect`, `eval`): the same resolution as the app's — --model / SHIGUANG_MODEL, else the model
 * chosen in the settings — and the same saved provider/threads with this run's overrides.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TowerSessionOptions } from '../ml/onnx-session.ts';
import { SettingsService } from '../settings/settings-service.ts';
import { createLogger } from '../util/log.ts';
import type { AppConfig } from './config.ts';
import { apiError, type ApiError } from '../../shared/api.ts';
import { SOURCE_CATALOGUE } from '../models/sources.ts';

/** The CLI's ways to get a model, as the no-model error names them (data: the same in every language). */
const GET_A_MODEL = { download: '`npm run cli -- models download cn-clip-vit-b-16`', import: '`npm run cli -- models import DIR`', flag: '`--model DIR`' };

export const NO_MODEL_HELP = `no model selected. Download one with ${GET_A_MODEL.download}, import an export with ${GET_A_MODEL.import}, or pass --model DIR.`;

/** No model is chosen (the CLI): how to get one, in the person's language. `why`: what went wrong with the chosen one. */
export function noModelChosen(why = ''): ApiError {
  return apiError('model-none-chosen', GET_A_MODEL, `${NO_MODEL_HELP}${why}`);
}

export function chosenModelDir(config: AppConfig): string {
  if (config.modelDir) return config.modelDir;
  const active = new SettingsService(config.paths.config, {}, SOURCE_CATALOGUE, createLogger('settings')).read().activeModel;
  if (active) {
    const dir = path.join(config.paths.models, active);
    if (fs.existsSync(dir)) return dir;
    throw apiError('model-not-installed', { model: active }, `the chosen model ${active} is no longer installed in ${config.paths.models}. ${NO_MODEL_HELP}`);
  }
  throw noModelChosen();
}

export function runtimeSession(config: AppConfig): TowerSessionOptions {
  return new SettingsService(config.paths.config, config.sessionOverrides, SOURCE_CATALOGUE, createLogger('settings')).sessionOptions();
}
