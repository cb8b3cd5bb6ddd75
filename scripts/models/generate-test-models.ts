/**
 * Generates the test models (tiny, toy-colors, mini-clip) into OUTDIR (default .cache/test-models).
 * Used by test/global-setup.ts and by `npm run models:test -- OUTDIR`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateMiniClip } from './mini-clip.ts';
import { generateTiny } from './tiny.ts';
import { generateToyColors } from './toy-colors.ts';

export async function generateTestModels(outDir: string): Promise<void> {
  await generateTiny(path.join(outDir, 'tiny'));
  await generateToyColors(path.join(outDir, 'toy-colors'));
  await generateMiniClip(path.join(outDir, 'mini-clip'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const out = path.resolve(process.argv[2] ?? '.cache/test-models');
  generateTestModels(out).then(
    () => console.log(`test models written to ${out}`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
