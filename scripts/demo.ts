/**
 * `npm run demo`: the main job on an embedded default, for a newcomer on a fresh clone.
 * Generates the toy-colors model (embeddings that encode a photo's dominant colour — real
 * Chinese-CLIP weights cannot ship in git; see docs/models.md), writes a few coloured photos,
 * indexes them together with ../shared/photos when present, and runs Chinese queries through
 * the same CLI a user would.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { generateTestModels } from './models/generate-test-models.ts';
import { writeColourSet } from './fixtures/colour-photos.ts';
import { languageOf, systemLanguage } from '../electron/engine/util/locale.ts';

const root = path.resolve('.cache/demo');
const models = path.resolve('.cache/test-models');
const photos = path.join(root, 'photos');
const db = path.join(root, 'library.db');

if (!fs.existsSync(path.join(models, 'toy-colors', 'manifest.json'))) await generateTestModels(models);
if (!fs.existsSync(photos)) await writeColourSet(photos, ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'black', 'white', 'gray'], 3);

const shared = path.resolve('../shared/photos');
const folders = [photos, ...(fs.existsSync(shared) ? [shared] : [])];
const cli = (args: string[]): void => {
  const full = ['electron/cli/shiguang.ts', '--db', db, '--model', path.join(models, 'toy-colors'), ...args];
  process.stderr.write(`\n$ npm run cli -- ${full.slice(1).map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  execFileSync(process.execPath, ['--import', 'tsx', ...full], { stdio: 'inherit' });
};

cli(['index', '--tags', ...folders]);
cli(['search', '红色', '--limit', '5']);
cli(['search', '一片蓝色的海', '--limit', '5']);
cli(['status']);
// The last line in the language the CLI spoke above (the same rule: SHIGUANG_LANG, else the locale).
const lang = languageOf(process.env.SHIGUANG_LANG) ?? systemLanguage(process.env);
const next = `npm run cli -- --db ${db} --model ${path.join(models, 'toy-colors')} search "绿色"`;
process.stderr.write(lang === 'zh-CN' ? `\n演示图库：${db}。再试一个：${next}\n` : `\nDemo library: ${db}. Try: ${next}\n`);
