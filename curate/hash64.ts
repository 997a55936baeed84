/**
 * 64-bit perceptual hashes as two unsigned 32-bit halves (`hi`, `lo`), the
 * form the near-duplicate index compares without allocating.
 */

const hexHash = /^[0-9a-f]{16}$/;

/** Splits a 16-hex-char hash into its halves; undefined for anything else. */
export function parseHash64(hex: string | null | undefined): { hi: number; lo: number } | undefined {
  if (!hex || !hexHash.test(hex)) return undefined;
  return { hi: Number.parseInt(hex.slice(0, 8), 16), lo: Number.parseInt(hex.slice(8), 16) };
}

export function popcount32(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** A run of bits of the 64-bit hash: bit 0 is the least significant bit of `lo`. */
export interface HashBand {
  firstBit: number;
  bits: number;
}

/**
 * Cuts 64 bits into `maxDistance + 1` disjoint bands of near-equal width.
 * Pigeonhole: two hashes that differ in at most `maxDistance` bits differ in
 * at most `maxDistance` bands, so at least one band is identical in both.
 * Looking up exact band values therefore finds every pair within the distance
 * (no misses); each candidate is then checked with the full Hamming distance
 * (no false matches).
 */
export function hashBands(maxDistance: number): HashBand[] {
  return splitBits(maxDistance + 1);
}

/**
 * How the near-duplicate search cuts the hash: `bands` disjoint bands, each
 * searched within `radius` bits. Pigeonhole: two hashes within `maxDistance`
 * differ in at most floor(maxDistance / bands) bits in at least one band, so
 * enumerating every band value within `radius` of a hash's own finds all of
 * its neighbours. Wider bands hold fewer hashes per value (fewer useless
 * comparisons at 1M hashes) but cost more values to enumerate; the plan is the
 * fewest bands (at least 3, so a band has at most 22 bits and its lookup table
 * 4M entries) whose enumeration stays at most 128 lookups per hash.
 * maxDistance 4 gives 3 bands of 22/21/21 bits searched within 1 bit: 67 lookups.
 */
export interface BandPlan {
  bands: HashBand[];
  radius: number;
}

const maxLookupsPerHash = 128;

export function bandPlan(maxDistance: number): BandPlan {
  // Terminates by count = maxDistance + 1 (radius 0, one lookup per band).
  for (let count = 3; ; count += 1) {
    const radius = Math.floor(maxDistance / count);
    if (count * valuesWithin(Math.ceil(64 / count), radius) <= maxLookupsPerHash) return { bands: splitBits(count), radius };
  }
}

/** All XOR masks of at most `radius` set bits over `bits` bits, 0 first. */
export function masksWithin(bits: number, radius: number): Uint32Array {
  const masks: number[] = [0];
  const extend = (from: number, mask: number, left: number) => {
    for (let bit = from; bit < bits; bit += 1) {
      const next = (mask | (1 << bit)) >>> 0;
      masks.push(next);
      if (left > 1) extend(bit + 1, next, left - 1);
    }
  };
  if (radius > 0) extend(0, 0, radius);
  return Uint32Array.from(masks);
}

function valuesWithin(bits: number, radius: number): number {
  let total = 0;
  let choose = 1;
  for (let k = 0; k <= radius; k += 1) {
    total += choose;
    choose = (choose * (bits - k)) / (k + 1);
  }
  return total;
}

function splitBits(count: number): HashBand[] {
  const bands: HashBand[] = [];
  let firstBit = 0;
  for (let i = 0; i < count; i += 1) {
    const bits = Math.floor(64 / count) + (i < 64 % count ? 1 : 0);
    bands.push({ firstBit, bits });
    firstBit += bits;
  }
  return bands;
}

/** The band's bits of (hi, lo) as an unsigned integer; bands are at most 32 bits wide. */
export function bandValue(band: HashBand, hi: number, lo: number): number {
  const { firstBit, bits } = band;
  let value: number;
  if (firstBit >= 32) value = hi >>> (firstBit - 32);
  else if (firstBit + bits <= 32) value = lo >>> firstBit;
  else value = (lo >>> firstBit) | (hi << (32 - firstBit));
  return bits === 32 ? value >>> 0 : (value & ((1 << bits) - 1)) >>> 0;
}
