/**
 * Generates the project's own test models once per run (tiny + toy-colors) into .cache/test-models,
 * so no test needs real weights or the network. Tests find them through SHIGUANG_TEST_MODELS.
 */
import path from 'node:path';
import fs from 'node:fs';
import { generateTestModels } from '../scripts/models/generate-test-models.ts';

export default async function setup(): Promise<void> {
  const out = path.resolve('.cache/test-models');
  if (!fs.existsSync(path.join(out, 'toy-colors', 'manifest.json')) || !fs.existsSync(path.join(out, 'tiny', 'manifest.json'))) {
    await generateTestModels(out);
  }
  process.env.SHIGUANG_TEST_MODELS = out;
}
