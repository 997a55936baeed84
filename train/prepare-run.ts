import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WitError } from '../db/index.js';
import { readCheckpoint, type CheckpointMeta } from './checkpoint.js';
import type { EngineState } from './engine/index.js';
import { readRunConfig, runFiles, writeRunConfig, type RunConfig } from './run-config.js';
import { checkShardCount, listShards, readShardCaptions, type ShardFile } from '../webdataset/index.js';
import { checkResumeOptions, resolveSettings, trainDefaults, type TrainOptions } from './train-options.js';
import { buildVocabulary, Vocabulary } from './vocabulary.js';

/** A run ready to train: its config, vocabulary, shards and, when resumed, its last checkpoint. */
export interface PreparedRun {
  outDir: string;
  config: RunConfig;
  vocab: Vocabulary;
  trainShards: ShardFile[];
  valShards: ShardFile[];
  checkpoint: { meta: CheckpointMeta; state: EngineState } | undefined;
}

/**
 * A new run: reads the train captions once to build the vocabulary and count
 * the pairs, then writes vocab.json and config.json. Refuses a folder that
 * already holds a run, so nothing trained is overwritten.
 */
export async function startRun(options: TrainOptions, log: (message: string) => void): Promise<PreparedRun> {
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
    throw new WitError(`cannot create the run folder ${outDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}): pass a folder path with --out.`, { cause: error });
  }
  const scan = await scanCaptions(trainShards, options.vocabWords ?? trainDefaults.vocabWords, options.signal);
  const { vocab } = scan;
  if (vocab.size === 0) throw new WitError(`no word appears twice in the train captions of ${options.shardsDir}: there is nothing to build a vocabulary from.`);
  log(`vocabulary: ${vocab.size.toLocaleString('en-US')} words from ${scan.samples.toLocaleString('en-US')} train captions (${scan.usable.toLocaleString('en-US')} with a known word)`);
  const batchSize = options.batchSize ?? trainDefaults.batchSize;
  const stepsPerEpoch = Math.floor(scan.usable / batchSize);
  if (stepsPerEpoch === 0) throw new WitError(`the train shards hold ${scan.usable} usable pairs, fewer than one --batch of ${batchSize}: use a smaller --batch or more data.`);
  const settings = resolveSettings(options, stepsPerEpoch);
  const config: RunConfig = {
    format: 'wit-run-1',
    model: { vocabSize: vocab.size, embedDim: settings.embedDim, imageSize: settings.imageSize, wordDim: settings.embedDim, convChannels: settings.convChannels },
    train: settings,
    runtime: {
      saveEverySteps: options.saveEverySteps ?? trainDefaults.saveEverySteps,
      logEverySteps: options.logEverySteps ?? trainDefaults.logEverySteps,
      workers: options.workers ?? null,
    },
    data: {
      shardsDir: options.shardsDir,
      trainShards: trainShards.map((shard, i) => ({ name: shard.name, samples: scan.perShard[i]! })),
      trainSamples: scan.usable,
      stepsPerEpoch,
    },
    createdAt: new Date().toISOString(),
  };
  const vocabPath = join(outDir, runFiles.vocab);
  await writeFile(`${vocabPath}.tmp`, `${JSON.stringify(vocab)}\n`);
  await rename(`${vocabPath}.tmp`, vocabPath);
  await writeRunConfig(outDir, config);
  return { outDir, config, vocab, trainShards, valShards, checkpoint: undefined };
}

/**
 * The run in `options.outDir` as its last checkpoint left it. The flags given
 * must agree with the run's settings, the shards must be the ones it started
 * on, and vocab.json must be the vocabulary its weights were trained with.
 */
export async function resumeRun(options: TrainOptions): Promise<PreparedRun> {
  const outDir = options.outDir;
  const config = await readRunConfig(outDir);
  if (!config) throw new WitError(`nothing to resume in ${outDir} (no config.json): start the run without --resume.`);
  checkResumeOptions(options, config.train, config.data.stepsPerEpoch);
  const vocab = await Vocabulary.load(join(outDir, runFiles.vocab));
  const checkpoint = await readCheckpoint(outDir);
  checkVocabularyMatches(outDir, config, vocab, checkpoint?.meta);
  const shardsDir = options.shardsDir ?? config.data.shardsDir;
  const trainShards = await listShards(shardsDir, 'train');
  const names = trainShards.map((shard) => shard.name).join(',');
  const savedNames = config.data.trainShards.map((shard) => shard.name).join(',');
  const changed = names !== savedNames || trainShards.some((shard, i) => shard.count !== undefined && shard.count !== config.data.trainShards[i]!.samples);
  if (changed) {
    throw new WitError(`the train shards in ${shardsDir} are not the ones the run in ${outDir} started on (${config.data.trainShards.length} shards from ${config.data.shardsDir}): resume with the same --shards, or start a new run.`);
  }
  const valShards = await listShards(shardsDir, 'val', { optional: true });
  return { outDir, config, vocab, trainShards, valShards, checkpoint };
}

/** Throws when vocab.json is not the vocabulary of the run's weights. */
export function checkVocabularyMatches(outDir: string, config: RunConfig, vocab: Vocabulary, checkpoint: CheckpointMeta | undefined): void {
  const vocabPath = join(outDir, runFiles.vocab);
  if (vocab.size !== config.model.vocabSize) {
    throw new WitError(`${vocabPath} has ${vocab.size} words but the model in ${outDir} was built for ${config.model.vocabSize}: the vocabulary does not belong to this run; put back the vocab.json it was trained with.`);
  }
  if (checkpoint && checkpoint.vocabFingerprint !== vocab.fingerprint()) {
    throw new WitError(`${vocabPath} is not the vocabulary the checkpoint in ${outDir} was trained with (fingerprint ${vocab.fingerprint()}, checkpoint ${checkpoint.vocabFingerprint}): put back the vocab.json it was trained with.`);
  }
}

interface CaptionScan {
  vocab: Vocabulary;
  samples: number;
  /** Captions with at least one vocabulary word: the pairs training can use. */
  usable: number;
  perShard: number[];
}

/** One pass over the captions (image bytes skipped): counts per shard and the vocabulary. */
async function scanCaptions(shards: readonly ShardFile[], maxWords: number, signal: AbortSignal | undefined): Promise<CaptionScan> {
  const captionCounts = new Map<string, number>();
  const perShard: number[] = [];
  for (const shard of shards) {
    if (signal?.aborted) throw new WitError('stopped while building the vocabulary, before training began: nothing to resume; run the same command again.', { exitCode: 130 });
    let count = 0;
    for await (const { txt } of readShardCaptions(shard.path)) {
      captionCounts.set(txt, (captionCounts.get(txt) ?? 0) + 1);
      count++;
    }
    checkShardCount(shard, count);
    perShard.push(count);
  }
  const vocab = await buildVocabulary(repeatEach(captionCounts), { maxWords });
  let usable = 0;
  for (const [caption, count] of captionCounts) if (vocab.encode(caption).length > 0) usable += count;
  return { vocab, samples: perShard.reduce((a, b) => a + b, 0), usable, perShard };
}

function* repeatEach(counts: Map<string, number>): Generator<string> {
  for (const [caption, count] of counts) for (let i = 0; i < count; i++) yield caption;
}
