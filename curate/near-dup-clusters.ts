import { bandPlan, bandValue, masksWithin, popcount32, type HashBand } from './hash64.js';
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
 * Multi-index hashing (`bandPlan`): the 64 bits are cut into a few disjoint
 * bands (3 of 22/21/21 bits for maxDistance 4); by pigeonhole, two hashes
 * within maxDistance differ in at most `radius` bits (1 for maxDistance 4) in
 * at least one band. For each band the hashes are counting-sorted by band value
 * into a direct-address table, and each hash looks up every value within
 * `radius` of its own; only the hashes found there are compared, with the full
 * 64-bit distance. So every pair within maxDistance is found and only those are
 * joined: the result equals an all-pairs comparison. Because clusters are
 * connected components, two members can be further apart than maxDistance
 * (a chain of near copies).
 *
 * Cost per band: a linear sort, a fixed number of lookups per hash (67 for
 * maxDistance 4), and one comparison per hash found, about
 * n * lookups / 2^bandBits for spread-out hashes, more where many hashes share
 * a band value (e.g. blank images).
 *
 * Returns, for each input, a cluster id: the smallest input index in its cluster.
 */
export function clusterNearDuplicates(hi: Uint32Array, lo: Uint32Array, maxDistance: number, stats?: NearDupStats): Int32Array {
  const count = hi.length;
  const sets = new UnionFind(count);
  const distinct = joinEqualHashes(hi, lo, sets);
  if (stats) stats.distinctHashes = distinct.length;
  if (maxDistance > 0) {
    const plan = bandPlan(maxDistance);
    const distinctHi = gather(hi, distinct);
    const distinctLo = gather(lo, distinct);
    const slotBits = Math.max(10, Math.ceil(Math.log2(distinct.length + 1)) + 2);
    for (const band of plan.bands) {
      const table = bandTable(band, Math.min(band.bits, slotBits), distinct, distinctHi, distinctLo);
      const masks = new Set(Array.from(masksWithin(band.bits, plan.radius), (mask) => mask & table.slotMask));
      joinWithinRadius(table, Uint32Array.from(masks), maxDistance, sets, stats);
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

/**
 * The hashes counting-sorted by a slot, the low `slotBits` bits of one band's
 * value: positions `start[s] .. start[s + 1]` of `hi`/`lo`/`item` hold slot s.
 * With about 4 slots per hash the table stays small for small inputs; hashes
 * whose band values differ only above the slot bits share a slot, which costs
 * comparisons but never misses a pair, since masking commutes with XOR.
 */
interface BandTable {
  start: Uint32Array;
  hi: Uint32Array;
  lo: Uint32Array;
  /** Input index of each sorted position. */
  item: Uint32Array;
  slotMask: number;
}

function bandTable(band: HashBand, slotBits: number, items: Uint32Array, hi: Uint32Array, lo: Uint32Array): BandTable {
  const slotMask = (2 ** slotBits - 1) >>> 0;
  const slots = new Uint32Array(items.length);
  const start = new Uint32Array(2 ** slotBits + 1);
  for (let p = 0; p < items.length; p += 1) {
    const slot = bandValue(band, hi[p]!, lo[p]!) & slotMask;
    slots[p] = slot;
    start[slot + 1]! += 1;
  }
  for (let s = 1; s < start.length; s += 1) start[s]! += start[s - 1]!;
  const cursor = start.slice(0, start.length - 1);
  const table: BandTable = {
    start,
    slotMask,
    hi: new Uint32Array(items.length),
    lo: new Uint32Array(items.length),
    item: new Uint32Array(items.length),
  };
  for (let p = 0; p < items.length; p += 1) {
    const at = cursor[slots[p]!]!++;
    table.hi[at] = hi[p]!;
    table.lo[at] = lo[p]!;
    table.item[at] = items[p]!;
  }
  return table;
}

/**
 * Walks the occupied slots in order; compares the hashes inside a slot with
 * each other and with those of every higher slot its masks reach (so each pair
 * once per band), and joins the near ones. Slot order keeps memory access
 * sequential, which matters more than the comparison count at 1M hashes.
 */
function joinWithinRadius(
  table: BandTable,
  masks: Uint32Array,
  maxDistance: number,
  sets: UnionFind,
  stats: NearDupStats | undefined,
): void {
  const { start, hi, lo, item } = table;
  let comparisons = 0;
  let merges = 0;
  const compare = (a: number, b: number) => {
    comparisons += 1;
    if (popcount32(hi[a]! ^ hi[b]!) + popcount32(lo[a]! ^ lo[b]!) <= maxDistance && sets.union(item[a]!, item[b]!)) merges += 1;
  };
  let first = 0;
  let slot = 0;
  while (first < item.length) {
    while (start[slot + 1]! <= first) slot += 1;
    const end = start[slot + 1]!;
    for (let a = first; a < end; a += 1) for (let b = a + 1; b < end; b += 1) compare(a, b);
    for (let m = 0; m < masks.length; m += 1) {
      const other = slot ^ masks[m]!;
      if (other <= slot) continue;
      const otherEnd = start[other + 1]!;
      for (let b = start[other]!; b < otherEnd; b += 1) for (let a = first; a < end; a += 1) compare(a, b);
    }
    first = end;
  }
  if (stats) {
    stats.comparisons += comparisons;
    stats.merges += merges;
  }
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
