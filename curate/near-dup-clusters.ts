import { bandValue, hashBands, popcount32 } from './hash64.js';
import { UnionFind } from './union-find.js';

/** Counts of the near-duplicate search, for the bench and the manifest. */
export interface NearDupStats {
  /** Hashes indexed (distinct values). */
  distinctHashes: number;
  /** Pairs whose full distance was computed. */
  comparisons: number;
  /** Pairs found within the distance that joined two clusters. */
  merges: number;
}

/**
 * Groups hashes into clusters: single-linkage connected components of the
 * graph "Hamming distance <= maxDistance", found without comparing all pairs.
 *
 * Multi-index hashing: the 64 bits are cut into maxDistance + 1 disjoint bands
 * (`hashBands`), so every pair within the distance agrees exactly on at least
 * one band. For each band the hashes are radix-sorted by that band's value and
 * only hashes sharing a value are compared. Every pair within the distance is
 * found, and only those are joined. Because clusters are connected components,
 * two members can be further apart than maxDistance (a chain of near copies).
 *
 * Cost: O(n) per band for the sort, plus the pairs inside each bucket (about
 * n^2 / 2^bandBits per band for spread-out hashes; more where many hashes share
 * a band value, e.g. blank images).
 *
 * Returns, for each input, a cluster id: the smallest input index in its cluster.
 */
export function clusterNearDuplicates(hi: Uint32Array, lo: Uint32Array, maxDistance: number, stats?: NearDupStats): Int32Array {
  const count = hi.length;
  const sets = new UnionFind(count);
  const distinct = joinEqualHashes(hi, lo, sets);
  if (stats) stats.distinctHashes = distinct.length;
  if (maxDistance > 0) {
    const keys = new Uint32Array(distinct.length);
    for (const band of hashBands(maxDistance)) {
      for (let i = 0; i < distinct.length; i += 1) keys[i] = bandValue(band, hi[distinct[i]!]!, lo[distinct[i]!]!);
      const order = sortIndexByKey(keys, band.bits);
      compareWithinBuckets(order, keys, distinct, hi, lo, maxDistance, sets, stats);
    }
  }
  const clusterOf = new Int32Array(count);
  const smallest = new Int32Array(count).fill(-1);
  for (let i = 0; i < count; i += 1) {
    const root = sets.find(i);
    if (smallest[root] === -1) smallest[root] = i;
    clusterOf[i] = smallest[root]!;
  }
  return clusterOf;
}

/** Joins inputs with identical hashes; returns one input index per distinct hash. */
function joinEqualHashes(hi: Uint32Array, lo: Uint32Array, sets: UnionFind): Uint32Array {
  const byLo = sortIndexByKey(lo, 32);
  const byHash = gather(byLo, sortIndexByKey(gather(hi, byLo), 32));
  const distinct: number[] = [];
  for (let i = 0; i < byHash.length; i += 1) {
    const item = byHash[i]!;
    const previous = i > 0 ? byHash[i - 1]! : -1;
    if (previous >= 0 && hi[previous] === hi[item] && lo[previous] === lo[item]) sets.union(previous, item);
    else distinct.push(item);
  }
  return Uint32Array.from(distinct);
}

function compareWithinBuckets(
  order: Uint32Array,
  keys: Uint32Array,
  distinct: Uint32Array,
  hi: Uint32Array,
  lo: Uint32Array,
  maxDistance: number,
  sets: UnionFind,
  stats: NearDupStats | undefined,
): void {
  let start = 0;
  let comparisons = 0;
  let merges = 0;
  while (start < order.length) {
    const key = keys[order[start]!];
    let end = start + 1;
    while (end < order.length && keys[order[end]!] === key) end += 1;
    for (let a = start; a < end; a += 1) {
      const itemA = distinct[order[a]!]!;
      const hiA = hi[itemA]!;
      const loA = lo[itemA]!;
      for (let b = a + 1; b < end; b += 1) {
        const itemB = distinct[order[b]!]!;
        comparisons += 1;
        if (popcount32(hiA ^ hi[itemB]!) + popcount32(loA ^ lo[itemB]!) <= maxDistance && sets.union(itemA, itemB)) merges += 1;
      }
    }
    start = end;
  }
  if (stats) {
    stats.comparisons += comparisons;
    stats.merges += merges;
  }
}

/** Positions 0..n-1 ordered by `keys` (stable LSD radix sort, 16 bits a pass). */
function sortIndexByKey(keys: Uint32Array, keyBits: number): Uint32Array {
  let order = new Uint32Array(keys.length);
  for (let i = 0; i < order.length; i += 1) order[i] = i;
  let next = new Uint32Array(keys.length);
  const counts = new Uint32Array(1 << 16);
  for (let shift = 0; shift < keyBits; shift += 16) {
    counts.fill(0);
    for (let i = 0; i < keys.length; i += 1) counts[(keys[i]! >>> shift) & 0xffff]! += 1;
    let total = 0;
    for (let d = 0; d < counts.length; d += 1) {
      const c = counts[d]!;
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < order.length; i += 1) {
      const item = order[i]!;
      next[counts[(keys[item]! >>> shift) & 0xffff]!++] = item;
    }
    [order, next] = [next, order];
  }
  return order;
}

function gather(values: Uint32Array, indices: Uint32Array): Uint32Array {
  const out = new Uint32Array(indices.length);
  for (let i = 0; i < indices.length; i += 1) out[i] = values[indices[i]!]!;
  return out;
}
