/**
 * The composition root's resolution: flags over environment over saved settings over defaults,
 * for the database, the model and the runtime options, the same for the CLI and the app.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShiguangApp } from '../../electron/engine/app/app.ts';
import { resolveAppConfig } from '../../electron/engine/app/config.ts';
import { chosenModelDir, runtimeSession } from '../../electron/engine/app/model-choice.ts';
import { updateSettings } from '../../electron/engine/settings/settings-file.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { ApiError } from '../../electron/shared/api.ts';
import { errorMessage } from '../../electron/shared/error-messages.ts';

const testModels = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');

describe('resolveAppConfig', () => {
  const env = { SHIGUANG_HOME: '/data/home', SHIGUANG_DB: '/data/env.db', SHIGUANG_MODEL: '/models/env', SHIGUANG_PROVIDER: 'cpu', SHIGUANG_VECTOR_INDEX: 'sqlite' };

  it('takes flags over the environment, and the environment over defaults', () => {
    expect(resolveAppConfig({}, { SHIGUANG_HOME: '/data/home' })).toMatchObject({ dbPath: path.resolve('/data/home/library.db'), modelDir: undefined, sessionOverrides: {}, vectorSearch: undefined });
    expect(resolveAppConfig({}, env)).toMatchObject({ dbPath: path.resolve('/data/env.db'), modelDir: path.resolve('/models/env'), sessionOverrides: { provider: 'cpu' }, vectorSearch: 'sqlite' });
    const cores = os.availableParallelism();
    expect(resolveAppConfig({ db: '/x.db', model: '/m', provider: 'auto', threads: String(cores) }, env)).toMatchObject({
      dbPath: path.resolve('/x.db'),
      modelDir: path.resolve('/m'),
      sessionOverrides: { provider: 'auto', threads: cores },
    });
    expect(resolveAppConfig({}, env).paths.config).toBe(path.resolve('/data/home/config.json'));
  });

  it('refuses bad threads and unknown providers with a clear message (exit code 2: BAD_REQUEST)', () => {
    const cores = os.availableParallelism();
    const range = new RegExp(`--threads must be a whole number from 1 to ${cores} \\(this machine's logical cores\\)`);
    for (const bad of ['0', '-1', '2.5', 'lots', '', String(cores + 1), '999']) {
      expect(() => resolveAppConfig({ threads: bad }, {}), bad).toThrow(range);
    }
    expect(() => resolveAppConfig({ provider: 'warp' }, {})).toThrow(/unknown execution provider "warp" \(expected auto, tensorrt/);
    expect(() => resolveAppConfig({}, { SHIGUANG_PROVIDER: 'warp' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});

describe('saved settings apply wherever the app is opened', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-config-'));
    fs.cpSync(path.join(testModels, 'toy-colors'), path.join(tmp, 'home', 'models', 'test-toy-colors'), { recursive: true });
    await updateSettings(path.join(tmp, 'home', 'config.json'), { activeModel: 'test-toy-colors', provider: 'cpu', threads: 2 });
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('the chosen model and the saved provider/threads, unless this run overrides them', async () => {
    const config = resolveAppConfig({}, { SHIGUANG_HOME: path.join(tmp, 'home') });
    expect(chosenModelDir(config)).toBe(path.join(tmp, 'home', 'models', 'test-toy-colors'));
    expect(runtimeSession(config)).toEqual({ provider: 'cpu', threads: 2 });
    expect(runtimeSession(resolveAppConfig({ threads: '1' }, { SHIGUANG_HOME: path.join(tmp, 'home') }))).toEqual({ provider: 'cpu', threads: 1 });

    const app = await ShiguangApp.open({ config, logger: createLogger('test', 'error') });
    try {
      const engine = app.requireEngine();
      expect(engine.model.modelKey).toBe('test-toy-colors');
      expect(engine.model.sessionOptions).toMatchObject({ provider: 'cpu', threads: 2 });
    } finally {
      await app.close();
    }
  });

  it('without a chosen model the CLI gets the message of how to get one', async () => {
    const config = resolveAppConfig({ db: path.join(tmp, 'other.db') }, { SHIGUANG_HOME: path.join(tmp, 'empty-home') });
    expect(() => chosenModelDir(config)).toThrow(/no model selected.*models download/);
    const app = await ShiguangApp.open({ config, logger: createLogger('test', 'error') });
    try {
      expect(app.engine).toBeNull();
      expect(() => app.requireEngine()).toThrow(/no model selected/);
      // A reason the CLI words in the person's language (it printed this English in Chinese before).
      let thrown: unknown;
      try {
        app.requireEngine();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toMatchObject({ code: 'NO_MODEL', detail: { reason: 'model-none-chosen', download: '`npm run cli -- models download cn-clip-vit-b-16`' } });
      expect(errorMessage('zh-CN', ApiError.from(thrown))).toMatch(/^还没有选择模型。可以下载一个：`npm run cli -- models download cn-clip-vit-b-16`/);
    } finally {
      await app.close();
    }
  });
});
