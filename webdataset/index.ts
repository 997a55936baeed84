export { evenShardSizes } from './shard-plan.js';
export {
  maxShardSamples,
  parseShardFileName,
  partialSuffix,
  shardFileName,
  shardKey,
  shardPattern,
  splitMemberName,
} from './shard-names.js';
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
export { readTarEntries, TarFormatError, type TarEntry } from './tar-reader.js';
export { writeFileAtomic, writeJsonAtomic } from './durable-file.js';
export { shardMetadataNames, writeShardMetadata, type ShardStats } from './shard-metadata.js';
