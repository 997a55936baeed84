import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { computePhash } from '../fetch/index.js';
import { hammingDistance } from '../fetch/phash.js';
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
