/**
 * Where the app keeps its data on a user's machine (database, thumbnails, downloaded models,
 * config). SHIGUANG_HOME overrides everything (tests, portable installs).
 */
import path from 'node:path';
import envPaths from 'env-paths';

export interface DataPaths {
  home: string;
  db: string;
  models: string;
  cache: string;
  config: string;
}

export function dataPaths(env: NodeJS.ProcessEnv = process.env): DataPaths {
  const home = env.SHIGUANG_HOME ? path.resolve(env.SHIGUANG_HOME) : envPaths('shiguang', { suffix: '' }).data;
  return {
    home,
    db: path.join(home, 'library.db'),
    models: path.join(home, 'models'),
    cache: path.join(home, 'cache'),
    config: path.join(home, 'config.json'),
  };
}
