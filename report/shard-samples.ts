import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listShards, readShardSamples, type ShardSample } from '../webdataset/index.js';
import { thumbnailDataUri } from './thumbnail.js';

/** A sample image of the dataset, ready to inline: a small JPEG as a data: URI, and its caption. */
export interface SampleImage {
  dataUri: string;
  caption: string;
}

/**
 * Up to `count` samples from the head of the first shard (train, else val),
 * evenly spread over what was read: reading stops after `maxReadBytes` of
 * images, however big the shard.
 */
export async function readSampleImages(
  shardsDir: string,
  count: number,
  thumbnailPx = 112,
  maxReadBytes = 8 << 20,
): Promise<SampleImage[]> {
  const [first] = [
    ...(await listShards(shardsDir, 'train', { optional: true })),
    ...(await listShards(shardsDir, 'val', { optional: true })),
  ];
  if (!first) return [];
  const head: ShardSample[] = [];
  let bytes = 0;
  for await (const sample of readShardSamples(first.path)) {
    head.push(sample);
    bytes += sample.jpg.length;
    if (bytes >= maxReadBytes) break;
  }
  const step = Math.max(1, head.length / count);
  const picked = Array.from({ length: Math.min(count, head.length) }, (_, i) => head[Math.floor(i * step)]!);
  return Promise.all(picked.map(async (sample) => ({ dataUri: await thumbnailDataUri(sample.jpg, thumbnailPx), caption: sample.txt })));
}

/**
 * Thumbnails of named samples (`<shard file>:<sample key>`, as evaluation
 * names them), by name. A sample whose caption is not the expected one (the
 * shards were rebuilt since) or that is gone is left out. Each shard is read
 * only until its wanted samples are found.
 */
export async function readNamedThumbnails(
  shardsDir: string,
  captions: ReadonlyMap<string, string>,
  thumbnailPx = 96,
): Promise<Map<string, string>> {
  const keysByShard = new Map<string, Set<string>>();
  for (const name of captions.keys()) {
    const colon = name.indexOf(':');
    const shard = name.slice(0, colon);
    keysByShard.set(shard, (keysByShard.get(shard) ?? new Set()).add(name.slice(colon + 1)));
  }
  const thumbnails = new Map<string, string>();
  for (const [shard, keys] of keysByShard) {
    const path = join(shardsDir, shard);
    if (!existsSync(path)) continue;
    for await (const sample of readShardSamples(path)) {
      if (!keys.delete(sample.key)) continue;
      const name = `${shard}:${sample.key}`;
      if (captions.get(name) === sample.txt) thumbnails.set(name, await thumbnailDataUri(sample.jpg, thumbnailPx));
      if (keys.size === 0) break;
    }
  }
  return thumbnails;
}
