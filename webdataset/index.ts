export { evenShardSizes } from './shard-plan.js';
export { shardPattern } from './shard-names.js';
export { ShardWriter, type SampleToWrite, type ShardWriterOptions, type WrittenShard } from './shard-writer.js';
export {
  checkShardCount,
  countSamples,
  listShards,
  readShardCaptions,
  readShardSamples,
  type ListShardsOptions,
  type ReadShardOptions,
  type ShardFile,
  type ShardSample,
  type ShardSplit,
} from './shard-reader.js';
export type { TarEntry } from './tar-reader.js';
export { writeJsonAtomic } from './durable-file.js';
export { writeShardMetadata, type ShardStats } from './shard-metadata.js';
