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
export async function readSampleImages(shardsDir: string, count: number, thumbnailPx = 112, maxReadBytes = 8 << 20): Promise<SampleImage[]> {
  const [first] = [...(await listShards(shardsDir, 'train', { optional: true })), ...(await listShards(shardsDir, 'val', { optional: true }))];
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
  return Promise.all(
    picked.map(async (sample) => ({ dataUri: await thumbnailDataUri(sample.jpg, thumbnailPx), caption: sample.txt })),
  );
}
