/**
 * A photo's pixel fingerprint (fingerprint.ts) without encoding it: for photos indexed before
 * fingerprints existed, or when the lead's per-photo pass needs one on its own.
 */
import { decodeForModel, type PreprocessSpec } from './decode.ts';
import type { PixelFingerprint } from './fingerprint.ts';

/**
 * The decode the indexer does for a 224-pixel model (every Chinese-CLIP model but ViT-L/14@336),
 * so a photo fingerprinted on its own gets the same numbers as one fingerprinted while indexed.
 * Mean and std do not matter: the fingerprint is taken before normalisation.
 */
const FINGERPRINT_SPEC: PreprocessSpec = { resolution: 224, mean: [0, 0, 0], std: [1, 1, 1], resize: 'bicubic' };

/**
 * Fingerprint a photo on its own (photos indexed before fingerprints existed). Throws DecodeError
 * like decode.ts.
 */
export async function fingerprintFile(input: string | Buffer): Promise<PixelFingerprint> {
  const { fingerprint } = await decodeForModel(input, FINGERPRINT_SPEC, { fingerprint: true });
  return fingerprint!;
}
