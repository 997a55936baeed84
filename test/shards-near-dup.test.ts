import { describe, expect, it } from 'vitest';
import { clusterNearDuplicates } from '../curate/index.js';
import { bandPlan, hashBands } from '../curate/hash64.js';

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v >>>= 1) n += v & 1;
  return n;
}

/** A seeded xorshift32, so the test data is the same every run. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function clusteredHashes(count: number, centres: number, maxFlips: number, seed: number) {
  const next = rng(seed);
  const hi = new Uint32Array(count);
  const lo = new Uint32Array(count);
  const centreHi = Array.from({ length: centres }, () => next());
  const centreLo = Array.from({ length: centres }, () => next());
  for (let i = 0; i < count; i += 1) {
    const c = next() % centres;
    let h = centreHi[c]!;
    let l = centreLo[c]!;
    for (let f = next() % (maxFlips + 1); f > 0; f -= 1) {
      const bit = next() % 64;
      if (bit < 32) l ^= 1 << bit;
      else h ^= 1 << (bit - 32);
    }
    hi[i] = h >>> 0;
    lo[i] = l >>> 0;
  }
  return { hi, lo };
}

/** Connected components by comparing every pair: the reference. */
function bruteForce(hi: Uint32Array, lo: Uint32Array, maxDistance: number): Int32Array {
  const parent = Array.from({ length: hi.length }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  for (let a = 0; a < hi.length; a += 1) {
    for (let b = a + 1; b < hi.length; b += 1) {
      if (popcount(hi[a]! ^ hi[b]!) + popcount(lo[a]! ^ lo[b]!) <= maxDistance) parent[find(b)] = find(a);
    }
  }
  const smallest = new Map<number, number>();
  return Int32Array.from(hi, (_, i) => {
    const root = find(i);
    if (!smallest.has(root)) smallest.set(root, i);
    return smallest.get(root)!;
  });
}

describe('clusterNearDuplicates', () => {
  it('cuts 64 bits into maxDistance + 1 disjoint bands', () => {
    expect(hashBands(4).map((b) => b.bits)).toEqual([13, 13, 13, 13, 12]);
    expect(hashBands(4).map((b) => b.firstBit)).toEqual([0, 13, 26, 39, 52]);
    expect(hashBands(1).map((b) => b.bits)).toEqual([32, 32]);
  });

  it('plans wide bands searched within a radius that pigeonhole allows', () => {
    const plan = bandPlan(4);
    expect(plan.bands.map((b) => b.bits)).toEqual([22, 21, 21]);
    expect(plan.radius).toBe(1);
    for (let d = 0; d <= 10; d += 1) {
      const { bands, radius } = bandPlan(d);
      expect(bands.reduce((sum, b) => sum + b.bits, 0)).toBe(64);
      expect(Math.max(...bands.map((b) => b.bits))).toBeLessThanOrEqual(22);
      // some band differs in at most floor(d / bands) bits
      expect(radius).toBeGreaterThanOrEqual(Math.floor(d / bands.length));
    }
  });

  for (const maxDistance of [0, 1, 2, 4, 7, 10]) {
    it(`finds exactly the brute-force components at distance ${maxDistance}`, () => {
      const { hi, lo } = clusteredHashes(700, 60, 9, 1000 + maxDistance);
      const stats = { distinctHashes: 0, comparisons: 0, merges: 0 };
      const clusters = clusterNearDuplicates(hi, lo, maxDistance, stats);
      const expected = bruteForce(hi, lo, maxDistance);
      expect(Array.from(clusters)).toEqual(Array.from(expected));
      expect(new Set(clusters).size).toBeLessThan(700);
      expect(stats.comparisons).toBeLessThan((700 * 699) / 2);
    });
  }

  it('joins identical hashes and keeps distant ones apart', () => {
    const hi = Uint32Array.from([5, 5, 0xffffffff, 5]);
    const lo = Uint32Array.from([9, 9, 0xffffffff, 8]);
    expect(Array.from(clusterNearDuplicates(hi, lo, 0))).toEqual([0, 0, 2, 3]);
    expect(Array.from(clusterNearDuplicates(hi, lo, 1))).toEqual([0, 0, 2, 0]);
  });
});
