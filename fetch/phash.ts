/**
 * The 64-bit perceptual hash wit stores for every image: pHash, as
 * imagehash.phash computes it. The image is reduced to 32x32 grayscale, a 2-D
 * DCT-II is taken, and the 8x8 lowest frequencies (DC included) are compared
 * with their median: one bit each, row-major, most significant bit first.
 *
 * pHash rather than dHash: it keeps the image's coarse structure in the
 * frequency domain, so rescaling, JPEG recompression, small crops of the border
 * and gamma shifts move only a few bits, while dHash (sign of neighbour
 * gradients on a 9x8 thumbnail) flips many bits on near-flat images and on
 * mild blur. The cost difference is negligible next to decoding: only the 8
 * lowest coefficients of each 32-sample row and column are computed.
 */
export const phashGridSide = 32;
const lowSide = 8;

/** cos(pi / 32 * (n + 0.5) * k) for k < 8, n < 32. */
const dctBasis: Float64Array = (() => {
  const basis = new Float64Array(lowSide * phashGridSide);
  for (let k = 0; k < lowSide; k++) {
    for (let n = 0; n < phashGridSide; n++) basis[k * phashGridSide + n] = Math.cos((Math.PI / phashGridSide) * (n + 0.5) * k);
  }
  return basis;
})();

/**
 * pHash of a 32x32 8-bit grayscale grid (1,024 bytes, row-major) as 16
 * lowercase hex characters.
 */
export function phashOfGrid(gray: Uint8Array): string {
  if (gray.length !== phashGridSide * phashGridSide)
    throw new RangeError(`phashOfGrid needs ${phashGridSide * phashGridSide} bytes, got ${gray.length}`);
  // Rows first: rowLow[r][k] = DCT_k of row r; then columns over those 8 columns.
  const rowLow = new Float64Array(phashGridSide * lowSide);
  for (let r = 0; r < phashGridSide; r++) {
    for (let k = 0; k < lowSide; k++) {
      let sum = 0;
      for (let n = 0; n < phashGridSide; n++) sum += gray[r * phashGridSide + n]! * dctBasis[k * phashGridSide + n]!;
      rowLow[r * lowSide + k] = sum;
    }
  }
  const low = new Float64Array(lowSide * lowSide);
  for (let k = 0; k < lowSide; k++) {
    for (let c = 0; c < lowSide; c++) {
      let sum = 0;
      for (let n = 0; n < phashGridSide; n++) sum += rowLow[n * lowSide + c]! * dctBasis[k * phashGridSide + n]!;
      low[k * lowSide + c] = sum;
    }
  }
  const median = medianOf(low);
  return hexOfBits(low, 0, median) + hexOfBits(low, 32, median);
}

/** 32 bits (`values[from + i] > median`, most significant first) as 8 hex characters. */
function hexOfBits(values: Float64Array, from: number, median: number): string {
  let bits = 0;
  for (let i = from; i < from + 32; i++) bits = (bits << 1) | (values[i]! > median ? 1 : 0);
  return (bits >>> 0).toString(16).padStart(8, '0');
}

function medianOf(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length / 2;
  return (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Averages an 8-bit RGB (or gray) image down to the 32x32 luma grid pHash
 * reads: each cell is the mean of the source pixels it covers (a box filter,
 * which is what anti-aliased downscaling amounts to at these ratios). One
 * pass over the pixels: each row adds the luma of its pixels to its band's 32
 * cell sums, summed first in a local (integer sums: exact in any order).
 */
export function lumaGrid(pixels: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const grid = new Uint8Array(phashGridSide * phashGridSide);
  const cellSums = new Float64Array(phashGridSide);
  const across = cellEdges(width);
  const down = cellEdges(height);
  for (let gy = 0; gy < phashGridSide; gy++) {
    const y0 = down.starts[gy]!;
    const y1 = down.ends[gy]!;
    cellSums.fill(0);
    for (let y = y0; y < y1; y++) addRowLuma(pixels, y * width * channels, channels, across, cellSums);
    for (let gx = 0; gx < phashGridSide; gx++) {
      const cellPixels = (y1 - y0) * (across.ends[gx]! - across.starts[gx]!);
      grid[gy * phashGridSide + gx] = Math.round(cellSums[gx]! / cellPixels / 256);
    }
  }
  return grid;
}

/** The pixels [start, end) each of the 32 cells covers along a side of `length` (at least one: cells overlap below 32). */
function cellEdges(length: number): { starts: Int32Array; ends: Int32Array } {
  const starts = new Int32Array(phashGridSide);
  const ends = new Int32Array(phashGridSide);
  for (let cell = 0; cell < phashGridSide; cell++) {
    starts[cell] = Math.floor((cell * length) / phashGridSide);
    ends[cell] = Math.max(starts[cell]! + 1, Math.floor(((cell + 1) * length) / phashGridSide));
  }
  return { starts, ends };
}

/** Adds luma x 256 of the row at `offset` to the sum of each cell it crosses: Rec. 601 weights 77/150/29, or gray x 256 for 1-2 channels. */
function addRowLuma(
  pixels: Uint8Array,
  offset: number,
  channels: number,
  across: { starts: Int32Array; ends: Int32Array },
  cellSums: Float64Array,
): void {
  for (let gx = 0; gx < phashGridSide; gx++) {
    const end = offset + across.ends[gx]! * channels;
    let sum = 0;
    if (channels < 3) for (let i = offset + across.starts[gx]! * channels; i < end; i += channels) sum += pixels[i]! << 8;
    else
      for (let i = offset + across.starts[gx]! * channels; i < end; i += channels)
        sum += 77 * pixels[i]! + 150 * pixels[i + 1]! + 29 * pixels[i + 2]!;
    cellSums[gx]! += sum;
  }
}

/** Number of differing bits between two 16-hex-char hashes (0 = same, 64 = opposite). */
export function hammingDistance(a: string, b: string): number {
  if (!hexHash.test(a) || !hexHash.test(b)) {
    throw new RangeError(`hammingDistance needs two 16-hex-char hashes, got ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
  }
  const high = Number.parseInt(a.slice(0, 8), 16) ^ Number.parseInt(b.slice(0, 8), 16);
  const low = Number.parseInt(a.slice(8), 16) ^ Number.parseInt(b.slice(8), 16);
  return popcount32(high) + popcount32(low);
}

const hexHash = /^[0-9a-f]{16}$/;

function popcount32(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
