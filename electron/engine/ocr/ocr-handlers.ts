/** The OCR service's API handlers: the text read in one photo (the viewer's overlay). */
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { Use } from '../util/use.ts';
import type { OcrService } from './ocr-service.ts';

export function ocrHandlers(use: Use<OcrService>): ServiceHandlers<'ocr'> {
  return {
    photoText: ({ photoId }) => use((o) => o.photoText(photoId)),
  };
}
