/** The settings service: execution provider, threads, download sources, reading text in photos, where results end. */
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
  /**
   * Where search results end (the relevance boundary, docs/decisions/relevance.md), in steps from
   * SEARCH_SENSITIVITY.min (only the clearest matches) to .max (weaker matches too); 0 = as measured.
   */
  searchSensitivity: number;
}

/** The range of `searchSensitivity`: whole steps, each half a spread of the query's background. */
export const SEARCH_SENSITIVITY = { min: -3, max: 3, default: 0 } as const;
export const searchSensitivity = z.number().int().min(SEARCH_SENSITIVITY.min).max(SEARCH_SENSITIVITY.max);

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
      searchSensitivity: searchSensitivity.optional(),
    })
    .strict(),
} as const;

export interface SettingsResponses {
  settings: EngineSettings;
  updateSettings: EngineSettings;
}
