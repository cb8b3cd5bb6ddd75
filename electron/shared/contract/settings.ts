/** The settings service: execution provider, threads, download sources, reading text in photos. */
import { z } from 'zod';

export interface EngineSettings {
  /** Execution provider preference: 'auto' or one of providerChoices. */
  provider: string;
  /** ONNX Runtime intra-op threads; null = all cores. */
  threads: number | null;
  /** Model download sources, tried in order (built-in names, hf:URL, modelscope:URL or a plain URL). */
  sources: string[];
  providerChoices: string[];
  /** The built-in source names. */
  sourceChoices: string[];
  /** Set when an environment variable replaces `sources` for downloads (its name). */
  sourcesOverriddenBy: string | null;
  /** Read the text in photos (OCR) so it can be searched. On by default. */
  ocrEnabled: boolean;
}

export const settingsRequests = {
  settings: z.object({}).strict(),
  updateSettings: z
    .object({
      provider: z.string().min(1).max(40).optional(),
      /** null = all cores. */
      threads: z.number().int().min(1).max(1024).nullable().optional(),
      /** [] = back to the built-in order. */
      sources: z.array(z.string().min(1).max(2000)).max(32).optional(),
      ocrEnabled: z.boolean().optional(),
    })
    .strict(),
} as const;

export interface SettingsResponses {
  settings: EngineSettings;
  updateSettings: EngineSettings;
}
