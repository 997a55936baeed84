export { buildShards, type BuildShardsResult } from './build-shards.js';
export { formatBuildSummary } from './build-summary.js';
export { checkLanguages } from './language-filter.js';
export { curatePairs, type CuratedPairs, type CurateContext } from './curate-pairs.js';
export { resolveCurateOptions, type BuildPhase, type BuildShardsOptions, type CurateOptions, type PhaseProgress } from './options.js';
export { parseListFile } from './block-lists.js';
export { clusterNearDuplicates, type NearDupStats } from './near-dup-clusters.js';
export { parseHash64, type BandPlan, type HashBand } from './hash64.js';
export type { ShardManifest } from './shard-index.js';
