import { expect, test } from 'vitest';
import { clipMean, clipStd, centreCropNormalised, type ResizedImage } from '../train/image-decode.js';
import { randomResizedCrop } from '../train/random-resized-crop.js';
import { SeededRandom } from '../train/random.js';

/** An image whose red channel is `red` (row-major), green and blue fixed. */
function imageOf(red: number[], side: number): ResizedImage {
  const data = new Uint8Array(side * side * 3);
  red.forEach((value, i) => data.set([value, 100, 200], i * 3));
  return { data, width: side, height: side, channels: 3 };
}

const redOf = (pixels: Float32Array) =>
  Array.from({ length: pixels.length / 3 }, (_, i) => pixels[i * 3]! * clipStd[0] + clipMean[0]).map((v) => v * 255);

test('a crop of the whole image at its own size is the image, as the centre crop gives it', () => {
  const image = imageOf(
    Array.from({ length: 16 }, (_, i) => i * 16),
    4,
  );
  const expected = new Float32Array(48);
  centreCropNormalised(image, 4, expected);
  const out = new Float32Array(48);
  randomResizedCrop(image, 4, new SeededRandom(7), out, 0, 1);
  expect(out).toEqual(expected);
});

test('resizing is bilinear as torch F.interpolate(align_corners=False): a 3x3 image to 5x5', () => {
  const out = new Float32Array(75);
  randomResizedCrop(imageOf([0, 60, 120, 30, 90, 150, 255, 0, 200], 3), 5, new SeededRandom(1), out, 0, 1);
  // F.interpolate(x.view(1, 1, 3, 3), size=(5, 5), mode='bilinear', align_corners=False) in torch 1.13.
  const torch = [0, 24, 60, 96, 120, 12, 36, 72, 108, 132, 30, 54, 90, 126, 150, 165, 113.4, 36, 122.4, 180, 255, 153, 0, 120, 200];
  redOf(out).forEach((value, i) => expect(value).toBeCloseTo(torch[i]!, 3));
});

test('with a minimum scale under 1 the crops zoom in by a seeded amount, within the image', () => {
  const image = imageOf(
    Array.from({ length: 64 * 64 }, (_, i) => i % 64),
    64,
  ); // red = the column
  const leftEdges = new Set<number>();
  const widths = new Set<number>();
  for (let seed = 0; seed < 20; seed++) {
    const out = new Float32Array(8 * 8 * 3);
    randomResizedCrop(image, 8, new SeededRandom(seed), out, 0, 0.25);
    const again = new Float32Array(8 * 8 * 3);
    randomResizedCrop(image, 8, new SeededRandom(seed), again, 0, 0.25);
    expect(again).toEqual(out);
    const row = redOf(out).slice(0, 8);
    expect(Math.min(...row)).toBeGreaterThanOrEqual(-1e-3);
    expect(Math.max(...row)).toBeLessThanOrEqual(63 + 1e-3);
    leftEdges.add(Math.round(row[0]!));
    widths.add(Math.round(row[7]! - row[0]!));
  }
  expect(leftEdges.size).toBeGreaterThan(5);
  expect(widths.size).toBeGreaterThan(5);
  expect(Math.min(...widths)).toBeGreaterThanOrEqual(Math.floor(64 * 0.5 * (7 / 8)) - 2);
});
