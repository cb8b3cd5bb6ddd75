/** The desktop shell service (Capabilities.nativeShell): folder dialogs, reveal in folder, open with the system viewer. */
import { z } from 'zod';
import { photoId } from './common.ts';

export const shellRequests = {
  chooseFolders: z.object({}).strict(),
  revealPhoto: z.object({ photoId }).strict(),
  openPhoto: z.object({ photoId }).strict(),
} as const;

export interface ShellResponses {
  chooseFolders: string[];
  revealPhoto: { ok: boolean };
  openPhoto: { ok: boolean };
}
