export { buildShards, type BuildShardsResult } from './build-shards.js';
export { formatBuildSummary } from './build-summary.js';
export { curatePairs, type CuratedPairs, type CurateContext } from './curate-pairs.js';
export { resolveCurateOptions, type BuildPhase, type BuildShardsOptions, type CurateOptions, type PhaseProgress } from './options.js';
export { parseListFile } from './block-lists.js';
export { isPlaceholderCaption } from './caption-checks.js';
export { clusterNearDuplicates, type NearDupStats } from './near-dup-clusters.js';
export { bandPlan, hashBands, type BandPlan, type HashBand } from './hash64.js';
export { writeShardIndex, type ShardManifest } from './shard-index.js';
