export { ShardWriter, shardFileName, shardKey, partialShardSuffix, type ShardSample, type ShardWriterOptions, type WrittenShard } from './shard-writer.js';
export { writeShardIndex, type ShardManifest } from './shard-index.js';
