/**
 * Deterministic pseudo-random numbers keyed by data (a pair id, an image
 * hash) and a seed: the same inputs give the same value on every run and
 * machine, which is what makes balancing, splitting and shard order
 * reproducible. MurmurHash3's 32-bit mixing; not for security.
 */

function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  const x = h ^ k;
  return (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** An unsigned 32-bit hash of a seed and integer words (each taken as up to 53 bits). */
export function hashWords(seed: number, ...words: number[]): number {
  let h = seed | 0;
  for (const word of words) {
    h = mix(h, word | 0);
    h = mix(h, Math.floor(word / 2 ** 32) | 0);
  }
  return finish(h);
}

/** A number in [0, 1) from `hashWords`. */
export function uniformOf(seed: number, ...words: number[]): number {
  return hashWords(seed, ...words) / 2 ** 32;
}

/** The first 32 bits of a hex digest (an image's sha256) as a number. */
export function hexPrefix32(hex: string): number {
  return Number.parseInt(hex.slice(0, 8), 16);
}
