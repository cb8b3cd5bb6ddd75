/** Writes a model's manifest.json, validated by the engine's own schema so generated models can't drift from it. */
import fs from 'node:fs';
import path from 'node:path';
import { parseManifest, type ModelManifest } from '../../electron/engine/ml/manifest.ts';

export async function writeManifest(dir: string, manifest: unknown): Promise<ModelManifest> {
  const file = path.join(dir, 'manifest.json');
  const parsed = parseManifest(manifest, file);
  await fs.promises.mkdir(dir, { recursive: true });
  // Write what was given (not the defaults-filled parse) so the file stays as authored.
  await fs.promises.writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return parsed;
}
