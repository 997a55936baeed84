import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { processImage } from '../fetch/index.js';
import { makeJpeg, makePng16, openmojiSvg } from './fixtures/images-make.js';
import { startImageServer } from './fixtures/images-server.js';
import { tempDir } from './fixtures/temp-dir.js';

describe('processImage', () => {
  it('never upscales: a 100x80 image is stored at 100x80', async () => {
    const image = await processImage(await makeJpeg(1, 100, 80));
    expect(image).toMatchObject({ width: 100, height: 80, format: 'jpeg' });
    expect(await sharp(image.jpeg).metadata()).toMatchObject({ width: 100, height: 80 });
  });

  it('honours size and minSide', async () => {
    const bytes = await makeJpeg(2, 600, 300);
    const small = await processImage(bytes, { size: 64 });
    expect(await sharp(small.jpeg).metadata()).toMatchObject({ width: 128, height: 64 });
    await expect(processImage(bytes, { minSide: 301 })).rejects.toMatchObject({ reason: 'too_small' });
    await expect(processImage(bytes, { maxPixels: 600 * 300 - 1 })).rejects.toMatchObject({ reason: 'too_many_pixels' });
  });

  it('turns 16-bit and grayscale input into 8-bit, 3-channel sRGB', async () => {
    for (const bytes of [
      await makePng16(3, 200, 100),
      await sharp(await makeJpeg(4, 200, 100))
        .grayscale()
        .jpeg()
        .toBuffer(),
    ]) {
      const stored = await sharp((await processImage(bytes)).jpeg).metadata();
      expect(stored).toMatchObject({ space: 'srgb', channels: 3, depth: 'uchar' });
    }
  });

  it('rasterises SVG only when allowed, without loading external resources', async () => {
    const server = await startImageServer();
    server.route('/tracker.png', {
      body: await sharp(await makeJpeg(5, 64, 64))
        .png()
        .toBuffer(),
      contentType: 'image/png',
    });
    const svg = Buffer.from(
      openmojiSvg(7)
        .toString('utf8')
        .replace('</svg>', `<image href="${server.origin}/tracker.png" x="0" y="0" width="72" height="72"/></svg>`),
    );
    await expect(processImage(svg)).rejects.toMatchObject({ name: 'ImageFailure', reason: 'svg_refused' });
    const image = await processImage(svg, { allowSvg: true });
    expect(image.format).toBe('svg');
    expect(await sharp(image.jpeg).metadata()).toMatchObject({ width: 256, height: 256 });
    expect(server.hits.get('/tracker.png')).toBeUndefined();
  });

  it('does not read local files an SVG points to', async () => {
    const redPng = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const red = join(tempDir('wit-svg-'), 'red.png');
    writeFileSync(red, redPng);
    const svgShowing = (href: string) =>
      Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><image href="${href}" x="0" y="0" width="100" height="100"/></svg>`,
      );
    const firstPixel = async (svg: Buffer) => [
      ...(
        await sharp((await processImage(svg, { allowSvg: true })).jpeg)
          .raw()
          .toBuffer()
      ).subarray(0, 3),
    ];

    // An embedded image is drawn (the test can tell red from white) ...
    const [r, g] = await firstPixel(svgShowing(`data:image/png;base64,${redPng.toString('base64')}`));
    expect([r! > 200, g! < 60]).toEqual([true, true]);
    // ... a local file is not read: the page stays white.
    expect((await firstPixel(svgShowing(`file://${red}`))).every((v) => v > 240)).toBe(true);
  });
});
