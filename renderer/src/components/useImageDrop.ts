/**
 * Drop an image file anywhere on the window → its bytes as base64 (FileReader), for similarToImage.
 * Bytes rather than a path so it works the same over IPC and in the web mode. The image-search
 * button (ImageSearchButton.tsx) hands a picked file to the same checks (readImageFile).
 */
import { useEffect, useRef, useState } from 'react';

export const MAX_DROP_BYTES = 50 * 1024 * 1024;

export type DropFailure = 'notImage' | 'tooLarge' | 'readError';

function hasFiles(e: DragEvent): boolean {
  return !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
}

export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.onload = () => {
      const url = String(reader.result);
      const comma = url.indexOf(',');
      resolve(comma >= 0 ? url.slice(comma + 1) : url);
    };
    reader.readAsDataURL(file);
  });
}

const IMAGE_NAME = /\.(jpe?g|png|webp|gif|bmp|tiff?|heic|heif|avif)$/i;

/** The first image among `files` (by type, or by name where the browser gives no type: HEIC). */
export function firstImage(files: readonly File[]): File | undefined {
  return files.find((f) => f.type.startsWith('image/') || IMAGE_NAME.test(f.name));
}

/** A dropped or picked file → (name, base64), or why not. */
export function readImageFile(file: File | undefined, onImage: (name: string, dataBase64: string) => void, onFailure: (why: DropFailure) => void): void {
  if (!file || !(file.type.startsWith('image/') || IMAGE_NAME.test(file.name))) return onFailure('notImage');
  if (file.size > MAX_DROP_BYTES) return onFailure('tooLarge');
  readAsBase64(file).then(
    (b64) => onImage(file.name, b64),
    () => onFailure('readError'),
  );
}

export function useImageDrop(onImage: (name: string, dataBase64: string) => void, onFailure: (why: DropFailure) => void, enabled: boolean) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const handlers = useRef({ onImage, onFailure });
  handlers.current = { onImage, onFailure };

  useEffect(() => {
    if (!enabled) return;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      // dragenter/leave fire for every child crossed; count them so the overlay does not flicker.
      depth.current++;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      // Without this the browser navigates to the dropped file.
      e.preventDefault();
      depth.current = 0;
      setDragging(false);
      readImageFile(firstImage(Array.from(e.dataTransfer?.files ?? [])), handlers.current.onImage, handlers.current.onFailure);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [enabled]);

  return dragging;
}
