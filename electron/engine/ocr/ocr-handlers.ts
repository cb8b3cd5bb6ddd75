/** The OCR service's API handlers: the text read in one photo (the viewer's overlay). */
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { UseEngine } from '../engine.ts';

export function ocrHandlers(use: UseEngine): ServiceHandlers<'ocr'> {
  return {
    photoText: ({ photoId }) => use((e) => e.ocr.photoText(photoId)),
  };
}
