import sharp from 'sharp';
import { WitError } from '../core/index.js';

/** CLIP's per-channel RGB mean and standard deviation (of its training images, in [0, 1]). */
export const clipMean = [0.48145466, 0.4578275, 0.40821073] as const;
export const clipStd = [0.26862954, 0.26130258, 0.27577711] as const;

/** An image scaled so its shorter side is the training size: 8-bit pixels, row-major, `channels` per pixel. */
export interface ResizedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * Decodes an image and scales its shorter side to `size` (transparency
 * flattened onto white, sRGB). Throws sharp's error for bytes that are not an image.
 */
export async function decodeResized(input: Buffer | string, size: number): Promise<ResizedImage> {
  const { data, info } = await sharp(input, { failOn: 'error' })
    .rotate()
    .resize({ width: size, height: size, fit: 'outside', kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/**
 * Cuts the centre `size`x`size` square from a resized image (evaluation's crop; training's is
 * random-resized-crop.ts) and writes it as CLIP-normalised RGB floats (HWC) into `out` at `offset`.
 */
export function centreCropNormalised(image: ResizedImage, size: number, out: Float32Array, offset = 0): void {
  const { data, width, channels } = image;
  const left = Math.max(0, Math.floor((width - size) / 2));
  const top = Math.max(0, Math.floor((image.height - size) / 2));
  let at = offset;
  for (let y = 0; y < size; y++) {
    let pixel = ((top + y) * width + left) * channels;
    for (let x = 0; x < size; x++, pixel += channels) {
      out[at++] = (data[pixel]! / 255 - clipMean[0]) / clipStd[0];
      out[at++] = (data[pixel + 1]! / 255 - clipMean[1]) / clipStd[1];
      out[at++] = (data[pixel + 2]! / 255 - clipMean[2]) / clipStd[2];
    }
  }
}

/**
 * One image (a file path or its bytes) as the model sees it at evaluation:
 * centre crop, `imageSize`x`imageSize`, CLIP-normalised HWC RGB floats.
 */
export async function loadImageForEval(pathOrBuffer: string | Buffer, imageSize: number): Promise<Float32Array> {
  const out = new Float32Array(imageSize * imageSize * 3);
  try {
    centreCropNormalised(await decodeResized(pathOrBuffer, imageSize), imageSize, out);
  } catch (error) {
    const what = typeof pathOrBuffer === 'string' ? pathOrBuffer : `an image of ${pathOrBuffer.length} bytes`;
    throw new WitError(`cannot decode ${what} as an image (${(error as Error).message}): pass a JPEG, PNG, WebP or GIF file.`, {
      cause: error,
    });
  }
  return out;
}
