/**
 * Drop an image file anywhere on the window → its bytes as base64 (FileReader), for similarToImage.
 * Bytes rather than a path so it works the same over IPC and in the web mode.
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
      const files = Array.from(e.dataTransfer?.files ?? []);
      const file = files.find((f) => f.type.startsWith('image/') || /\.(jpe?g|png|webp|gif|bmp|tiff?|heic|heif|avif)$/i.test(f.name));
      if (!file) return handlers.current.onFailure('notImage');
      if (file.size > MAX_DROP_BYTES) return handlers.current.onFailure('tooLarge');
      readAsBase64(file).then(
        (b64) => handlers.current.onImage(file.name, b64),
        () => handlers.current.onFailure('readError'),
      );
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
