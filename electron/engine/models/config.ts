/**
 * The small JSON config the engine reads at start: which model is active, which download sources
 * to use, and the model runtime settings (provider, threads) chosen in the app. Other modules may
 * keep their own keys in the same file, so writes merge and never drop unknown keys; they go
 * through a temp file + rename so a crash never leaves half a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const modelsConfigSchema = z.looseObject({
  activeModel: z.string().optional(),
  /** Source specs, same syntax as SHIGUANG_MODEL_SOURCES (see sources.ts). */
  modelSources: z.array(z.string()).optional(),
  /** Execution provider preference (auto, cpu, cuda, …; see ml/providers.ts). Absent = auto. */
  provider: z.string().optional(),
  /** ONNX Runtime intra-op threads. Absent = all cores. */
  threads: z.number().int().positive().optional(),
});

export type ModelsConfig = z.infer<typeof modelsConfigSchema>;

/** Default location: next to the models directory (`<data>/models` → `<data>/config.json`). */
export function defaultConfigFile(modelsDir: string): string {
  return path.join(path.dirname(path.resolve(modelsDir)), 'config.json');
}

export function readModelsConfig(file: string): ModelsConfig {
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
  const parsed = modelsConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`config file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export async function updateModelsConfig(file: string, patch: Partial<ModelsConfig>): Promise<ModelsConfig> {
  const next: Record<string, unknown> = { ...readModelsConfig(file) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`);
  await fs.promises.rename(tmp, file);
  return next as ModelsConfig;
}
