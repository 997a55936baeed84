import { normalizeImage, phashOfPixels, processImageDefaults } from './process-image.js';

/**
 * The pHash of an encoded image (JPEG, PNG, WebP, GIF, ...), computed exactly
 * as `processImage` computes `images.phash`: decoded and oriented, reduced to
 * the stored size, then to a 32x32 luma grid. Size limits are not applied
 * (`minSide` 1), but the pixel limit is. Throws `ImageFailure` for bytes that
 * do not decode.
 */
export async function computePhash(image: Buffer): Promise<string> {
  const { pixels } = await normalizeImage(image, { ...processImageDefaults, minSide: 1, allowSvg: true });
  return phashOfPixels(pixels);
}
