import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WitError } from '../core/index.js';
import { readCheckpoint, type CheckpointMeta } from './checkpoint.js';
import type { EngineState } from './engine/index.js';
import { readRunConfig, runFiles, writeRunConfig, type RunConfig } from './run-config.js';
import { listShards, type ShardFile } from '../webdataset/index.js';
import { DecodedCache } from './decoded-cache.js';
import { resolveOptions } from '../core/index.js';
import {
  checkResumeOptions,
  recordedRuntime,
  resolveRuntime,
  resolveSettings,
  trainOptions,
  validateTrainOptions,
  type RunRuntime,
  type TrainOptions,
} from './options.js';
import { buildVocabulary, Vocabulary, type BuildVocabularyOptions, type VocabularyBuild } from './vocabulary.js';

/** A run ready to train: its config (settings, data), this process's runtime, vocabulary, shards and, when resumed, its last checkpoint. */
export interface PreparedRun {
  outDir: string;
  config: RunConfig;
  runtime: RunRuntime;
  vocab: Vocabulary;
  trainShards: ShardFile[];
  valShards: ShardFile[];
  checkpoint: { meta: CheckpointMeta; state: EngineState } | undefined;
  /** The train images decoded at the run's image size. */
  cache: DecodedCache;
}

/**
 * The one place a run is resolved from `train()`'s options: every option
 * checked, then a new run started or the run in `outDir` resumed. What trains
 * reads only the result: settings and data (`config`) and `runtime`.
 */
export async function prepareRun(options: TrainOptions, log: (message: string) => void): Promise<PreparedRun> {
  validateTrainOptions(options);
  return options.resume ? resumeRun(options, log) : startRun(options, log);
}

/**
 * A new run: reads the train captions once to build the vocabulary and count
 * the pairs, then writes vocab.json and config.json. Refuses a folder that
 * already holds a run, so nothing trained is overwritten.
 */
async function startRun(options: TrainOptions, log: (message: string) => void): Promise<PreparedRun> {
  const outDir = options.outDir;
  if (await readRunConfig(outDir)) {
    throw new WitError(`${outDir} already holds a run (config.json): pass --resume to continue it, or choose another --out.`);
  }
  if (!options.shardsDir) throw new WitError('--shards is required: the folder `wit shards` wrote.');
  const trainShards = await listShards(options.shardsDir, 'train');
  const valShards = await listShards(options.shardsDir, 'val', { optional: true });
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    throw new WitError(
      `cannot create the run folder ${outDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}): pass a folder path with --out.`,
      { cause: error },
    );
  }
  const { imageSize, vocabWords, minWordCount, batchSize } = resolveOptions(trainOptions, options);
  const runtime = resolveRuntime(options);
  const cache = await openCache(outDir, trainShards, imageSize, runtime, options.signal, log);
  const scan = await scanCaptions(cache, trainShards, { maxWords: vocabWords, minCount: minWordCount });
  const { vocab } = scan;
  if (vocab.size === 0)
    throw new WitError(
      `no word of the train captions of ${options.shardsDir} is seen --min-word-count times: there is nothing to build a vocabulary from.`,
    );
  log(describeVocabulary(scan));
  const stepsPerEpoch = Math.floor(scan.usable / batchSize);
  if (stepsPerEpoch === 0)
    throw new WitError(
      `the train shards hold ${scan.usable} usable pairs, fewer than one --batch of ${batchSize}: use a smaller --batch or more data.`,
    );
  const settings = resolveSettings(options, stepsPerEpoch);
  const config: RunConfig = {
    format: 'wit-run-1',
    model: {
      vocabSize: vocab.size,
      embedDim: settings.embedDim,
      imageSize: settings.imageSize,
      wordDim: settings.embedDim,
      convChannels: settings.convChannels,
    },
    train: settings,
    runtime: recordedRuntime(runtime),
    data: {
      shardsDir: options.shardsDir,
      trainShards: trainShards.map((shard, i) => ({ name: shard.name, samples: scan.perShard[i]! })),
      trainSamples: scan.usable,
      noKnownWordSamples: scan.samples - scan.usable,
      wordsCutByVocab: scan.wordsCutByMaxWords,
      stepsPerEpoch,
    },
    createdAt: new Date().toISOString(),
  };
  const vocabPath = join(outDir, runFiles.vocab);
  await writeFile(`${vocabPath}.tmp`, `${JSON.stringify(vocab)}\n`);
  await rename(`${vocabPath}.tmp`, vocabPath);
  await writeRunConfig(outDir, config);
  return { outDir, config, runtime, vocab, trainShards, valShards, checkpoint: undefined, cache };
}

/**
 * The run in `options.outDir` as its last checkpoint left it. The flags given
 * must agree with the run's settings, the shards must be the ones it started
 * on, and vocab.json must be the vocabulary its weights were trained with.
 */
async function resumeRun(options: TrainOptions, log: (message: string) => void): Promise<PreparedRun> {
  const outDir = options.outDir;
  const config = await readRunConfig(outDir);
  if (!config) throw new WitError(`nothing to resume in ${outDir} (no config.json): start the run without --resume.`);
  checkResumeOptions(options, config.train, config.data.stepsPerEpoch);
  const { vocab, checkpoint } = await loadTrainedState(outDir, config);
  const shardsDir = options.shardsDir ?? config.data.shardsDir;
  const trainShards = await listShards(shardsDir, 'train');
  const names = trainShards.map((shard) => shard.name).join(',');
  const savedNames = config.data.trainShards.map((shard) => shard.name).join(',');
  const changed =
    names !== savedNames ||
    trainShards.some((shard, i) => shard.count !== undefined && shard.count !== config.data.trainShards[i]!.samples);
  if (changed) {
    throw new WitError(
      `the train shards in ${shardsDir} are not the ones the run in ${outDir} started on (${config.data.trainShards.length} shards from ${config.data.shardsDir}): resume with the same --shards, or start a new run.`,
    );
  }
  const valShards = await listShards(shardsDir, 'val', { optional: true });
  const runtime = resolveRuntime(options, config.runtime);
  const cache = await openCache(outDir, trainShards, config.model.imageSize, runtime, options.signal, log);
  return { outDir, config, runtime, vocab, trainShards, valShards, checkpoint, cache };
}

function openCache(
  outDir: string,
  shards: readonly ShardFile[],
  imageSize: number,
  runtime: RunRuntime,
  signal: AbortSignal | undefined,
  log: (message: string) => void,
): Promise<DecodedCache> {
  return DecodedCache.open(join(outDir, runFiles.decodedCache), { imageSize, shards, maxMemoryBytes: runtime.cacheBytes, log, signal });
}

/**
 * The vocabulary and the last checkpoint of the run in `dir` (undefined before
 * its first), refused when vocab.json is not the vocabulary of its weights:
 * what a resumed run and `openRun` both load.
 */
export async function loadTrainedState(
  dir: string,
  config: RunConfig,
): Promise<{ vocab: Vocabulary; checkpoint: PreparedRun['checkpoint'] }> {
  const vocab = await Vocabulary.load(join(dir, runFiles.vocab));
  const checkpoint = await readCheckpoint(dir);
  checkVocabularyMatches(dir, config, vocab, checkpoint?.meta);
  return { vocab, checkpoint };
}

/** Throws when vocab.json is not the vocabulary of the run's weights. */
function checkVocabularyMatches(outDir: string, config: RunConfig, vocab: Vocabulary, checkpoint: CheckpointMeta | undefined): void {
  const vocabPath = join(outDir, runFiles.vocab);
  if (vocab.size !== config.model.vocabSize) {
    throw new WitError(
      `${vocabPath} has ${vocab.size} words but the model in ${outDir} was built for ${config.model.vocabSize}: the vocabulary does not belong to this run; put back the vocab.json it was trained with.`,
    );
  }
  if (checkpoint && checkpoint.vocabFingerprint !== vocab.fingerprint()) {
    throw new WitError(
      `${vocabPath} is not the vocabulary the checkpoint in ${outDir} was trained with (fingerprint ${vocab.fingerprint()}, checkpoint ${checkpoint.vocabFingerprint}): put back the vocab.json it was trained with.`,
    );
  }
}

interface CaptionScan extends VocabularyBuild {
  samples: number;
  /** Captions with at least one vocabulary word: the pairs training can use. */
  usable: number;
  perShard: number[];
}

/** The captions of the samples the cache kept (their image decodes): the vocabulary and the usable count. */
async function scanCaptions(cache: DecodedCache, shards: readonly ShardFile[], vocabOptions: BuildVocabularyOptions): Promise<CaptionScan> {
  const captionCounts = new Map<string, number>();
  for (const shard of shards) {
    for await (const { txt } of cache.samples(shard.name)) captionCounts.set(txt, (captionCounts.get(txt) ?? 0) + 1);
  }
  const build = await buildVocabulary(repeatEach(captionCounts), vocabOptions);
  let usable = 0;
  for (const [caption, count] of captionCounts) if (build.vocab.encode(caption).length > 0) usable += count;
  return { ...build, samples: cache.summary.kept, usable, perShard: cache.summary.perShard };
}

function* repeatEach(counts: Map<string, number>): Generator<string> {
  for (const [caption, count] of counts) for (let i = 0; i < count; i++) yield caption;
}

function describeVocabulary(scan: CaptionScan): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const cut = [
    scan.wordsCutByMaxWords > 0 ? `${n(scan.wordsCutByMaxWords)} rarer words cut by --vocab` : '',
    scan.wordsBelowMinCount > 0 ? `${n(scan.wordsBelowMinCount)} words under --min-word-count` : '',
  ].filter(Boolean);
  const noKnownWord = scan.samples - scan.usable;
  return (
    `vocabulary: ${n(scan.vocab.size)} words from ${n(scan.samples)} train captions${cut.length > 0 ? ` (${cut.join(', ')})` : ''}; ` +
    `${n(noKnownWord)} captions have no known word and are left out`
  );
}
