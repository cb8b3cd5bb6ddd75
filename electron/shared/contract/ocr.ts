/** The OCR service: the text read in one photo, with boxes (the viewer's overlay); its progress is in status. */
import { z } from 'zod';
import { photoId } from './common.ts';

export interface OcrStatus {
  /** The setting: when off, no photo is read (text already read stays searchable). */
  enabled: boolean;
  /** A pass is reading photos now (it waits while photos are being embedded). */
  running: boolean;
  /** Indexed photos read at their current content (with or without text), failed, still to read. */
  done: number;
  failed: number;
  pending: number;
  /** Read photos in which text was found. */
  withText: number;
  /** Photos per second over the recent window. */
  rate: number;
  etaSeconds: number | null;
  current: string | null;
  /** The OCR model's id, e.g. pp-ocrv4-ch. */
  model: string;
  /** The execution provider OCR runs on, once started. */
  provider: string | null;
  /** Why the last pass stopped early, if it did (e.g. the OCR model could not be loaded). */
  error: string | null;
}

export type OcrPoint = [number, number];

export interface PhotoTextLine {
  /** As recognised: for display and copying. */
  text: string;
  /** Mean character probability, 0..1. */
  confidence: number;
  /** Corners top-left, top-right, bottom-right, bottom-left in the photo's upright pixels. */
  box: [OcrPoint, OcrPoint, OcrPoint, OcrPoint];
}

export interface PhotoText {
  photoId: number;
  /** read: lines are the photo's text (maybe none); failed: could not be read; pending: not read yet; off: OCR is turned off. */
  state: 'read' | 'failed' | 'pending' | 'off';
  /** The upright size the boxes refer to. */
  width: number | null;
  height: number | null;
  lines: PhotoTextLine[];
  error: string | null;
}

export const ocrRequests = {
  photoText: z.object({ photoId }).strict(),
} as const;

export interface OcrResponses {
  photoText: PhotoText;
}
