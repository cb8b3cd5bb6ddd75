/**
 * The shell service: the methods only the desktop app can implement (native folder dialog, reveal
 * in folder, open with the system viewer). The main process registers it beside the engine's
 * forwarded services. Electron APIs are injected as a DesktopShell so this is unit-testable.
 *
 * Opening a file hands it to the OS, which may *execute* it; so the path comes from the index
 * (the `photo` method), then must pass the media guard — real path inside a library root, an
 * image extension — before reaching shell.openPath / showItemInFolder.
 */
import fs from 'node:fs';
import { apiError } from '../shared/api.ts';
import type { ServiceHandlers } from '../shared/handlers.ts';
import type { ApiRouter } from '../shared/router.ts';
import { isServablePath, type GuardedMediaProvider } from '../transport/media-guard.ts';
import { imageContentType } from '../transport/mime.ts';

export interface DesktopShell {
  /** Folder picker; [] when cancelled. */
  chooseFolders(): Promise<string[]>;
  showItemInFolder(file: string): void;
  /** Resolves '' on success, else an error message (Electron's shell.openPath contract). */
  openPath(file: string): Promise<string>;
}

/** Real path of an indexed photo's original, or an ApiError when it must not be touched. */
export async function guardedPhotoPath(engine: ApiRouter, media: GuardedMediaProvider, photoId: number): Promise<string> {
  const photo = await engine.invoke('photo', { photoId });
  let real: string;
  try {
    real = await fs.promises.realpath(photo.path);
  } catch {
    throw apiError('photo-file-gone', { path: photo.path }, `photo ${photoId} is no longer on disk: ${photo.path}`);
  }
  const roots = await Promise.all((await media.libraryRoots()).map((r) => fs.promises.realpath(r).catch(() => null)));
  if (!isServablePath(real, roots.filter((r): r is string => r !== null))) {
    throw apiError('photo-outside-library', { id: String(photoId) }, `photo ${photoId} is not inside a watched folder`);
  }
  if (!imageContentType(real)) throw apiError('photo-not-image', { id: String(photoId) }, `photo ${photoId} does not have an image file extension`);
  return real;
}

/** `engine`: the router the photo lookups go through (the main process's, forwarding to the engine). */
export function shellHandlers(engine: ApiRouter, media: GuardedMediaProvider, shell: DesktopShell): ServiceHandlers<'shell'> {
  return {
    chooseFolders: async () => shell.chooseFolders(),
    revealPhoto: async ({ photoId }) => {
      shell.showItemInFolder(await guardedPhotoPath(engine, media, photoId));
      return { ok: true };
    },
    openPhoto: async ({ photoId }) => {
      const err = await shell.openPath(await guardedPhotoPath(engine, media, photoId));
      if (err) throw apiError('photo-open-failed', { id: String(photoId) }, `could not open photo ${photoId}: ${err}`);
      return { ok: true };
    },
  };
}
