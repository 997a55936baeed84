import { bandValue, hashBands, parseHash64, popcount32, type HashBand } from './hash64.js';

/**
 * A fixed set of hashes (an evaluation set's images) asked "is anything within
 * maxDistance of this hash?": the same pigeonhole bands as the clustering
 * (see `hashBands`), kept as one map per band since the set is small.
 */
export class ReferenceHashes {
  private readonly hi: number[] = [];
  private readonly lo: number[] = [];
  private readonly bands: HashBand[];
  private readonly buckets: Array<Map<number, number[]>>;
  private readonly exact = new Set<string>();

  constructor(private readonly maxDistance: number) {
    this.bands = maxDistance > 0 ? hashBands(maxDistance) : [];
    this.buckets = this.bands.map(() => new Map());
  }

  get size(): number {
    return this.hi.length;
  }

  add(hex: string): void {
    const hash = parseHash64(hex);
    if (!hash) throw new RangeError(`ReferenceHashes.add needs a 16-hex-char hash, got ${hex}`);
    const index = this.hi.length;
    this.hi.push(hash.hi);
    this.lo.push(hash.lo);
    this.exact.add(hex);
    this.bands.forEach((band, b) => {
      const value = bandValue(band, hash.hi, hash.lo);
      const bucket = this.buckets[b]!.get(value);
      if (bucket) bucket.push(index);
      else this.buckets[b]!.set(value, [index]);
    });
  }

  /** True when some reference hash is within maxDistance bits of (hi, lo). */
  hasNear(hi: number, lo: number): boolean {
    for (let b = 0; b < this.bands.length; b += 1) {
      const bucket = this.buckets[b]!.get(bandValue(this.bands[b]!, hi, lo));
      if (!bucket) continue;
      for (const i of bucket) {
        if (popcount32(hi ^ this.hi[i]!) + popcount32(lo ^ this.lo[i]!) <= this.maxDistance) return true;
      }
    }
    return this.bands.length === 0 && this.exact.has(toHex(hi, lo));
  }
}

function toHex(hi: number, lo: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
