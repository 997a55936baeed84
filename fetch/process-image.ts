import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { resolveOptions, type GivenOptions } from '../core/index.js';
import { ImageFailure } from './image-failure.js';
import { readImageHeader, type ImageHeader } from './image-header.js';
import { processImageOptions } from './options.js';
import { lumaGrid, phashOfGrid } from './phash.js';
import { sniffImageFormat } from './sniff.js';

/** How a downloaded image is checked and stored (declared in options.ts). */
export type ProcessImageOptions = GivenOptions<typeof processImageOptions.entries>;

export const processImageDefaults: Required<ProcessImageOptions> = resolveOptions(processImageOptions, {});

/** What wit keeps of one downloaded image. */
export interface ProcessedImage {
  /** sha256 of the original bytes, lowercase hex: the store key. */
  sha256: string;
  /** 64-bit pHash of the image, 16 lowercase hex chars (see phash.ts). */
  phash: string;
  /** Width of the original image as displayed (EXIF orientation applied). */
  width: number;
  /** Height of the original image as displayed (EXIF orientation applied). */
  height: number;
  /** The decoder sharp used: jpeg, png, webp, gif, ... */
  format: string;
  /** Size of the original bytes. */
  bytes: number;
  /** The stored image: 8-bit sRGB JPEG q90, shorter side `size` (never upscaled), alpha flattened on white. */
  jpeg: Buffer;
}

/** Decoded, oriented, flattened 8-bit sRGB pixels at the stored size. */
export interface NormalizedPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/**
 * Validates `bytes` by really decoding them and turns them into what the store
 * keeps. Throws `ImageFailure` (with a reason) for anything that is not a
 * usable image; never throws anything else for bad bytes.
 */
export async function processImage(bytes: Buffer, options: ProcessImageOptions = {}): Promise<ProcessedImage> {
  return processHashedImage(bytes, sha256Hex(bytes), resolveProcessOptions(options));
}

/** The options with every unset (or undefined) field at its default. */
export function resolveProcessOptions(options: ProcessImageOptions): Required<ProcessImageOptions> {
  return resolveOptions(processImageOptions, options);
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `processImage` for a caller that has hashed the bytes already (to look for a stored copy first). */
export async function processHashedImage(bytes: Buffer, sha256: string, settings: Required<ProcessImageOptions>): Promise<ProcessedImage> {
  const { header, pixels } = await normalizeImage(bytes, settings);
  const jpeg = await encodeJpeg(pixels);
  const { width, height, format } = header;
  return { sha256, phash: phashOfPixels(pixels), width, height, format, bytes: bytes.length, jpeg };
}

/**
 * Checks the bytes (magic, declared size, min side) and decodes them to the
 * stored size: first frame, EXIF orientation applied, CMYK / 16-bit / palette /
 * gray converted to 8-bit sRGB, alpha flattened on white.
 */
export async function normalizeImage(
  bytes: Buffer,
  settings: Required<ProcessImageOptions>,
): Promise<{ header: ImageHeader; pixels: NormalizedPixels }> {
  const read = await validatedHeader(bytes, settings);
  const pixels = await decodeToStoredSize(bytes, read, settings);
  if (fitsHeader(pixels, read, settings.size)) return { header: read, pixels };
  // The header read from the bytes disagreed with the decoder: sharp's metadata decides.
  const header = await validatedHeader(bytes, settings, undefined);
  return { header, pixels: await decodeToStoredSize(bytes, header, settings) };
}

/** The decode half of `normalizeImage`, for bytes whose `header` passed the checks. */
export async function decodeToStoredSize(
  bytes: Buffer,
  header: ImageHeader,
  settings: Required<ProcessImageOptions>,
): Promise<NormalizedPixels> {
  const { width, height } = header;
  const shorter = Math.min(width, height);
  const svgDensity = header.format === 'svg' ? { density: Math.min(2400, (72 * Math.max(settings.size, shorter)) / shorter) } : {};
  const pipeline = sharp(bytes, { failOn: 'error', limitInputPixels: settings.maxPixels, autoOrient: true, ...svgDensity });
  if (shorter > settings.size) pipeline.resize(width <= height ? { width: settings.size } : { height: settings.size });
  try {
    const { data, info } = await pipeline
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (error) {
    throw new ImageFailure('decode_error', (error as Error).message);
  }
}

/** Whether `pixels` have the stored size of an image of `header`'s size. */
function fitsHeader(pixels: NormalizedPixels, header: ImageHeader, size: number): boolean {
  if (Math.min(header.width, header.height) <= size) return pixels.width === header.width && pixels.height === header.height;
  return header.width <= header.height ? pixels.width === size : pixels.height === size;
}

/**
 * The format and displayed size of `bytes`, once they pass the checks that
 * need no decoding. `read`: the size taken from the bytes' own header
 * (`readImageHeader`), or undefined to ask sharp's metadata.
 */
export async function validatedHeader(
  bytes: Buffer,
  settings: Required<ProcessImageOptions>,
  read: ImageHeader | undefined = readImageHeader(bytes),
): Promise<ImageHeader> {
  if (bytes.length === 0) throw new ImageFailure('empty', 'the response body was empty');
  const sniffed = sniffImageFormat(bytes);
  if (sniffed === undefined) throw new ImageFailure('not_image', `the first bytes are no known image type (${describeHead(bytes)})`);
  if (sniffed === 'svg' && !settings.allowSvg) throw new ImageFailure('svg_refused', 'SVG is refused unless --allow-svg is given');
  const { width, height, format } = read ?? (await sharpHeader(bytes));
  if (!(width > 0 && height > 0)) throw new ImageFailure('decode_error', 'the image declares no size');
  if (width * height > settings.maxPixels) {
    throw new ImageFailure('too_many_pixels', `${width}x${height} is over the ${settings.maxPixels.toLocaleString('en-US')}-pixel limit`);
  }
  if (Math.min(width, height) < settings.minSide) {
    throw new ImageFailure('too_small', `${width}x${height} has a side under ${settings.minSide} px`);
  }
  return { format, width, height };
}

async function sharpHeader(bytes: Buffer): Promise<ImageHeader> {
  try {
    const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
    return { format: metadata.format, ...metadata.autoOrient };
  } catch (error) {
    throw new ImageFailure('decode_error', (error as Error).message);
  }
}

function describeHead(bytes: Buffer): string {
  return JSON.stringify(bytes.toString('latin1', 0, 16).replace(/[^\x20-\x7e]/g, '.'));
}

export async function encodeJpeg(pixels: NormalizedPixels): Promise<Buffer> {
  const { data, width, height, channels } = pixels;
  return sharp(data, { raw: { width, height, channels: channels as 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export function phashOfPixels(pixels: NormalizedPixels): string {
  return phashOfGrid(lumaGrid(pixels.data, pixels.width, pixels.height, pixels.channels));
}
