import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { computePhash } from '../fetch/index.js';
import { hammingDistance, lumaGrid } from '../fetch/phash.js';
import { makeJpeg, makePng } from './fixtures/images-make.js';

describe('hammingDistance', () => {
  it('counts differing bits of two 64-bit hex hashes', () => {
    expect(hammingDistance('0000000000000000', '0000000000000000')).toBe(0);
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('8000000000000001', '0000000000000000')).toBe(2);
    expect(hammingDistance('00000000f0000000', '0000000000000000')).toBe(4);
    expect(hammingDistance('ffffffff00000000', '7fffffff00000001')).toBe(2);
  });

  it('refuses what is not a 16-hex-char hash', () => {
    expect(() => hammingDistance('abc', '0000000000000000')).toThrow(/16-hex-char/);
    expect(() => hammingDistance('000000000000000G', '0000000000000000')).toThrow(/16-hex-char/);
  });
});

describe('computePhash', () => {
  it('gives 16 lowercase hex chars, stable under rescaling and recompression, far apart for different images', async () => {
    const original = await makePng(10, 800, 600);
    const hash = await computePhash(original);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(await computePhash(original)).toBe(hash);

    const smallerJpeg = await sharp(original).resize(300).jpeg({ quality: 60 }).toBuffer();
    expect(hammingDistance(hash, await computePhash(smallerJpeg))).toBeLessThanOrEqual(6);

    const other = await computePhash(await makeJpeg(400, 800, 600));
    expect(hammingDistance(hash, other)).toBeGreaterThanOrEqual(12);
  });

  it('rejects bytes that are not an image with a reason', async () => {
    await expect(computePhash(Buffer.from('<html></html>'))).rejects.toMatchObject({ name: 'ImageFailure', reason: 'not_image' });
  });
});

describe('lumaGrid', () => {
  /** Each cell straight from its definition: the mean Rec. 601 luma of the pixels it covers. */
  function referenceGrid(pixels: Uint8Array, width: number, height: number, channels: number): number[] {
    const edges = (cell: number, length: number) => {
      const start = Math.floor((cell * length) / 32);
      return [start, Math.max(start + 1, Math.floor(((cell + 1) * length) / 32))] as const;
    };
    const grid: number[] = [];
    for (let gy = 0; gy < 32; gy++) {
      for (let gx = 0; gx < 32; gx++) {
        const [y0, y1] = edges(gy, height);
        const [x0, x1] = edges(gx, width);
        let sum = 0;
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const i = (y * width + x) * channels;
            sum += channels < 3 ? pixels[i]! * 256 : 77 * pixels[i]! + 150 * pixels[i + 1]! + 29 * pixels[i + 2]!;
          }
        }
        grid.push(Math.round(sum / ((y1 - y0) * (x1 - x0)) / 256));
      }
    }
    return grid;
  }

  it('averages the pixels each cell covers, also when the image is smaller than the grid', () => {
    let seed = 7;
    const byte = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    for (const [width, height, channels] of [
      [5, 3, 3],
      [33, 47, 4],
      [100, 64, 1],
      [256, 341, 3],
      [31, 1, 2],
    ] as const) {
      const pixels = Uint8Array.from({ length: width * height * channels }, byte);
      expect([...lumaGrid(pixels, width, height, channels)], `${width}x${height}x${channels}`).toEqual(
        referenceGrid(pixels, width, height, channels),
      );
    }
  });
});
