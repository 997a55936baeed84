/**
 * How many samples go into each shard: as evenly as possible (sizes differ by
 * at most one, larger shards first), never more than `maxShardSize`, and at
 * least `minShards` shards whenever there are that many samples, so that
 * every loader worker of open_clip / webdataset gets whole shards of the same
 * size and an epoch sees each sample once.
 */
export function evenShardSizes(total: number, maxShardSize: number, minShards: number): number[] {
  for (const [name, value] of [
    ['total', total],
    ['maxShardSize', maxShardSize],
    ['minShards', minShards],
  ] as const) {
    if (!Number.isInteger(value) || value < (name === 'total' ? 0 : 1))
      throw new RangeError(`evenShardSizes: ${name} must be a whole number, got ${value}`);
  }
  if (total === 0) return [];
  const shards = Math.max(Math.ceil(total / maxShardSize), Math.min(minShards, total));
  const base = Math.floor(total / shards);
  const larger = total % shards;
  return Array.from({ length: shards }, (_, i) => (i < larger ? base + 1 : base));
}
