/**
 * The app's settings: one small JSON file (`config.json` in the data directory) and ONE schema,
 * read the same way by the CLI, the web mode and the desktop engine process (see app/config.ts,
 * the composition root). It holds the person's choices: which model to use, the download sources,
 * the model runtime settings (execution provider, threads), whether photos' text is read (OCR)
 * and where search results end (searchSensitivity).
 *
 * Other modules may keep their own keys in the same file, so writes merge and never drop unknown
 * keys; they go through a temp file + rename so a crash never leaves half a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { searchSensitivity } from '../../shared/contract/settings.ts';

export const settingsSchema = z.looseObject({
  /** The model the person chose (`models use`, the model chooser): new photos are encoded with it. */
  activeModel: z.string().optional(),
  /** Source specs, same syntax as SHIGUANG_MODEL_SOURCES (see models/sources.ts). */
  modelSources: z.array(z.string()).optional(),
  /**
   * Execution provider preference (auto, cpu, cuda, …; see ml/providers.ts). Absent = auto. Kept
   * as a string here: an unknown name is reported and treated as auto where it is used, rather
   * than making the whole file unreadable.
   */
  provider: z.string().optional(),
  /** ONNX Runtime intra-op threads. Absent = all cores. */
  threads: z.number().int().positive().optional(),
  /** Read the text in photos (OCR). Absent = on. */
  ocr: z.boolean().optional(),
  /**
   * Where search results end (search/relevance.ts): −3 (only the clearest matches) … +3 (more of
   * the weaker ones), whole steps of half the query's background spread. Absent = 0, as measured.
   */
  searchSensitivity: searchSensitivity.optional(),
});

export type AppSettings = z.infer<typeof settingsSchema>;

/** Default location: next to the models directory (`<data>/models` → `<data>/config.json`). */
export function defaultSettingsFile(modelsDir: string): string {
  return path.join(path.dirname(path.resolve(modelsDir)), 'config.json');
}

export function readSettings(file: string): AppSettings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`config file ${file} is not valid JSON; fix or delete it`);
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`config file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Merges `patch` into the file; an `undefined` value removes that key. Validated before writing. */
export async function updateSettings(file: string, patch: Partial<Record<keyof AppSettings, unknown>>): Promise<AppSettings> {
  const next: Record<string, unknown> = { ...readSettings(file) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  const checked = settingsSchema.safeParse(next);
  if (!checked.success) throw new Error(`invalid settings: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`);
  await fs.promises.rename(tmp, file);
  return checked.data;
}
