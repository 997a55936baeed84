import { join } from 'node:path';
import { shardPattern, writeJsonAtomic, type WrittenShard } from '../webdataset/index.js';

/** What `manifest.json` holds; written last, so its presence marks a complete build. */
export interface ShardManifest {
  /**
   * Samples and shard count per split, and the brace pattern naming its
   * shards (`train-{000000..000015}.tar`), as open_clip's `--train-data` takes it.
   */
  splits: Record<string, { samples: number; shards: number; pattern: string }>;
  /** Every shard, in file-name order within each split. */
  shards: WrittenShard[];
  /** Pairs dropped, per reason (filters and dedupe steps). */
  dropped: Record<string, number>;
  /** The options the shards were built with. */
  config: Record<string, unknown>;
}

/**
 * Writes `sizes.json` (open_clip's form: `{"train-000000.tar": samples, ...}`)
 * then `manifest.json`, each to a temp name renamed into place. Both are
 * deterministic: no timestamps, keys in a fixed order.
 */
export function writeShardIndex(
  outDir: string,
  shards: readonly WrittenShard[],
  details: Pick<ShardManifest, 'dropped' | 'config'>,
): ShardManifest {
  const ordered = [...shards].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const splits: ShardManifest['splits'] = {};
  for (const shard of ordered) {
    const split = (splits[shard.split] ??= { samples: 0, shards: 0, pattern: '' });
    split.samples += shard.samples;
    split.shards += 1;
    split.pattern = shardPattern(shard.split, split.shards);
  }
  const sizes = Object.fromEntries(ordered.map((shard) => [shard.name, shard.samples]));
  writeJsonAtomic(join(outDir, 'sizes.json'), sizes);
  const manifest: ShardManifest = { splits, shards: ordered, dropped: details.dropped, config: details.config };
  writeJsonAtomic(join(outDir, 'manifest.json'), manifest);
  return manifest;
}
