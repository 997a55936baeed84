import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImageHeader } from '../fetch/image-header.js';
import { processImage } from '../fetch/index.js';
import {
  makeCmykJpeg,
  makeExifRotatedJpeg,
  makeJpeg,
  makePng,
  makePng16,
  makePngDeclaring,
  makePngWithAlpha,
  makeTruncatedJpeg,
  makeWebp,
  pngChunk,
} from './fixtures/images-make.js';

describe('readImageHeader', () => {
  it("gives sharp's format and displayed size for plain PNG and JPEG, baseline and progressive", async () => {
    const plain = [
      await makeJpeg(1, 320, 200),
      await sharp(await makeJpeg(2, 200, 330))
        .jpeg({ progressive: true })
        .toBuffer(),
      await sharp(await makeJpeg(3, 90, 70))
        .grayscale()
        .jpeg()
        .toBuffer(),
      await makeCmykJpeg(4, 120, 100),
      await makePng(5, 333, 100),
      await makePngWithAlpha(6, 64, 300),
      await makePng16(7, 100, 101),
      await sharp(await makePng(8, 150, 90))
        .png({ palette: true })
        .toBuffer(),
      makePngDeclaring(40_000, 30_000),
    ];
    for (const bytes of plain) {
      const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
      expect(readImageHeader(bytes)).toEqual({ format: metadata.format, ...metadata.autoOrient });
    }
  });

  it('leaves to sharp what it cannot be sure of: EXIF, other formats, cut headers', async () => {
    const exifPng = await makePng(9, 100, 80);
    const withExif = Buffer.concat([exifPng.subarray(0, 33), pngChunk('eXIf', Buffer.from('MM\0*')), exifPng.subarray(33)]);
    for (const bytes of [
      await makeExifRotatedJpeg(10, 200, 100),
      withExif,
      await makeWebp(11, 100, 100),
      (await makeJpeg(12, 100, 100)).subarray(0, 20),
      (await makePng(13, 100, 100)).subarray(0, 30),
    ]) {
      expect(readImageHeader(bytes)).toBeUndefined();
    }
  });

  it('does not change what processImage keeps: oriented size, refusals, a cut file fails as decode_error', async () => {
    expect(await processImage(await makeExifRotatedJpeg(14, 200, 100))).toMatchObject({ width: 200, height: 100, format: 'jpeg' });
    await expect(processImage(makePngDeclaring(40_000, 30_000))).rejects.toMatchObject({ reason: 'too_many_pixels' });
    await expect(processImage(await makeJpeg(15, 100, 40))).rejects.toMatchObject({ reason: 'too_small' });
    await expect(processImage(await makeTruncatedJpeg(16, 300, 300))).rejects.toMatchObject({ reason: 'decode_error' });
  });
});
