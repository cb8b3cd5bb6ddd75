/**
 * Generates the project's own test models (tiny + toy-colors) into .cache/test-models at the
 * start of every run — it takes milliseconds, and regenerating means a changed generator can
 * never be masked by a stale cache. Tests find them through SHIGUANG_TEST_MODELS.
 */
import path from 'node:path';
import { generateTestModels } from '../scripts/models/generate-test-models.ts';

export default async function setup(): Promise<void> {
  const out = path.resolve('.cache/test-models');
  await generateTestModels(out);
  process.env.SHIGUANG_TEST_MODELS = out;
}
