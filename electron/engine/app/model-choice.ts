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
import { SOURCE_CATALOGUE } from '../models/sources.ts';

export const NO_MODEL_HELP =
  'no model selected. Download one with `npm run cli -- models download cn-clip-vit-b-16`, ' +
  'import an export with `npm run cli -- models import DIR`, or pass --model DIR.';

export function chosenModelDir(config: AppConfig): string {
  if (config.modelDir) return config.modelDir;
  const active = new SettingsService(config.paths.config, {}, SOURCE_CATALOGUE, createLogger('settings')).read().activeModel;
  if (active) {
    const dir = path.join(config.paths.models, active);
    if (fs.existsSync(dir)) return dir;
    throw new Error(`the chosen model ${active} is no longer installed in ${config.paths.models}. ${NO_MODEL_HELP}`);
  }
  throw new Error(NO_MODEL_HELP);
}

export function runtimeSession(config: AppConfig): TowerSessionOptions {
  return new SettingsService(config.paths.config, config.sessionOverrides, SOURCE_CATALOGUE, createLogger('settings')).sessionOptions();
}
