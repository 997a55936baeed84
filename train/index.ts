export * from './engine/index.js';
export { train, TrainingStopped, type TrainResult } from './train.js';
export type { TrainOptions, TrainSettings } from './options.js';
export { openRun, type OpenRunOptions, type OpenedRun } from './open-run.js';
export { readRunConfig, runFiles, type RunConfig } from './run-config.js';
export { Vocabulary, type BuildVocabularyOptions, type VocabularyBuild, type VocabularyFile } from './vocabulary.js';
export { encodeTexts } from './text-batch.js';
export { centreCropNormalised, decodeResized, loadImageForEval, type ResizedImage } from './image-decode.js';
export { trainCropMinScale } from './random-resized-crop.js';
export { DecodedCache, type CachedSample, type CacheSummary, type DecodedCacheOptions } from './decoded-cache.js';
export {
  listShards,
  readShardSamples,
  readShardCaptions,
  countSamples,
  type ShardFile,
  type ShardSample,
  type ShardSplit,
  type ListShardsOptions,
  type ReadShardOptions,
} from '../webdataset/index.js';
export type { StepMetrics, ValidationMetrics } from './metrics-log.js';
export { TrainProgress, type TrainProgressOptions } from './train-progress.js';
export { SeededRandom } from './random.js';
