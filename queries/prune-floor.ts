/** Counts at or above this share the last histogram bucket (never pruned in practice). */
const histogramSize = 1 << 16;

/**
 * The smallest floor such that dropping every entry counted at or below it
 * leaves at most `target` of the `size` entries, from a histogram of the counts
 * (one pass, no sort).
 */
export function pruneFloor(counts: Iterable<number>, size: number, target: number): number {
  const histogram = new Uint32Array(histogramSize);
  for (const count of counts) histogram[Math.min(count, histogramSize - 1)]!++;
  let left = size;
  let floor = 0;
  while (left > target && floor < histogramSize - 1) left -= histogram[++floor]!;
  return floor;
}

/** A counter that is full prunes down to this share of its cap, so that pruning stays rare. */
export const pruneTargetShare = 0.75;
