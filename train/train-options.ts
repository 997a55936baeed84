import { totalmem } from 'node:os';
import { WitError } from '../core/index.js';
import type { BackendName } from './engine/index.js';
import type { StepMetrics } from './metrics-log.js';

/** Options of `train()`, the library face of `wit train`. */
export interface TrainOptions {
  /**
   * The folder `wit shards` wrote: `train-*.tar`, optional `val-*.tar`, `sizes.json`.
   * Required for a new run; a resumed run defaults to the folder it started on.
   */
  shardsDir?: string;
  /** The run folder: config.json, vocab.json, checkpoint, metrics.jsonl. */
  outDir: string;
  /**
   * The tfjs backend; `auto` takes the fastest that loads and says why.
   * @default 'auto'
   */
  backend?: BackendName | 'auto';
  /**
   * Passes over the train shards; ignored when `steps` is set.
   * @default 10
   */
  epochs?: number;
  /** Optimizer steps of the whole run; overrides `epochs`. */
  steps?: number;
  /**
   * Pairs per step (the contrastive batch: each pair's negatives are the others).
   * @default 256
   */
  batchSize?: number;
  /**
   * Side of the square training images, in pixels.
   * @default 64
   */
  imageSize?: number;
  /**
   * Most words in the vocabulary (the most frequent of the train captions).
   * @default 20000
   */
  vocabWords?: number;
  /**
   * Words seen fewer times than this in the train captions are left out of the vocabulary.
   * @default 1 (every word: on a small dataset most names are rare)
   */
  minWordCount?: number;
  /**
   * Width of the shared embedding space.
   * @default 256
   */
  embedDim?: number;
  /**
   * Output channels of the image encoder's stride-2 3x3 convolutions.
   * @default [32, 64, 128, 256]
   */
  convChannels?: number[];
  /**
   * Peak learning rate.
   * @default 0.0005
   */
  lr?: number;
  /**
   * Decoupled weight decay (not on biases, gains or the temperature).
   * @default 0.2
   */
  weightDecay?: number;
  /**
   * Steps of linear warmup.
   * @default a tenth of the run, at most 500
   */
  warmupSteps?: number;
  /** Clip the gradient's global L2 norm to this; no clipping when unset. */
  gradClipNorm?: number;
  /**
   * Seeds the weights, the data order and the crops.
   * @default 0
   */
  seed?: number;
  /**
   * Steps between checkpoints (one is always written at the end).
   * @default 500, or the run's own when resuming
   */
  saveEverySteps?: number;
  /**
   * Steps between metrics lines.
   * @default 10, or the run's own when resuming
   */
  logEverySteps?: number;
  /**
   * Samples in the shuffle buffer that mixes the shards.
   * @default 2000
   */
  shuffleBufferSize?: number;
  /**
   * Megabytes of decoded train images held in memory; a larger decoded cache
   * is read from its file in the run folder each epoch (same batches).
   * @default a quarter of the RAM, at most 2048
   */
  cacheMb?: number;
  /** Data-parallel workers of the engine; the engine's own default when unset (or the run's own when resuming). */
  workers?: number;
  /** Continue the run in `outDir` from its last checkpoint. */
  resume?: boolean;
  /**
   * Stops the run after the step in progress, writing a checkpoint first
   * (the CLI aborts it on Ctrl-C); `train()` then throws a `TrainingStopped`.
   */
  signal?: AbortSignal;
  /** Called with every metrics line (the CLI draws its progress line from it). */
  onMetrics?: (metrics: StepMetrics, totalSteps: number) => void;
  /**
   * Where messages go (backend chosen, vocabulary built, checkpoints).
   * @default a line to stderr
   */
  log?: (message: string) => void;
}

/** The training settings a run keeps in config.json; a resumed run must not change them. */
export interface TrainSettings {
  batchSize: number;
  imageSize: number;
  vocabWords: number;
  minWordCount: number;
  embedDim: number;
  convChannels: number[];
  lr: number;
  weightDecay: number;
  warmupSteps: number;
  gradClipNorm: number | null;
  seed: number;
  totalSteps: number;
  shuffleBufferSize: number;
}

export const trainDefaults = {
  backend: 'auto',
  epochs: 10,
  batchSize: 256,
  imageSize: 64,
  vocabWords: 20_000,
  minWordCount: 1,
  embedDim: 256,
  convChannels: [32, 64, 128, 256],
  lr: 5e-4,
  weightDecay: 0.2,
  maxDefaultWarmupSteps: 500,
  seed: 0,
  saveEverySteps: 500,
  logEverySteps: 10,
  shuffleBufferSize: 2000,
  maxDefaultCacheMb: 2048,
} as const;

/** `cacheMb` as given, or a quarter of the RAM (at most `maxDefaultCacheMb`). */
export function cacheBytesOf(options: Pick<TrainOptions, 'cacheMb'>): number {
  const mb = options.cacheMb ?? Math.min(trainDefaults.maxDefaultCacheMb, Math.floor(totalmem() / 4 / 2 ** 20));
  return mb * 2 ** 20;
}

/** The CLI flag of each option, so that library errors name what the user typed. */
export const optionFlags: Record<keyof TrainSettings | 'steps' | 'epochs' | 'saveEverySteps' | 'logEverySteps' | 'workers' | 'cacheMb', string> = {
  batchSize: '--batch',
  imageSize: '--image-size',
  vocabWords: '--vocab',
  minWordCount: '--min-word-count',
  embedDim: '--embed-dim',
  convChannels: '--conv-channels',
  lr: '--lr',
  weightDecay: '--wd',
  warmupSteps: '--warmup',
  gradClipNorm: '--grad-clip',
  seed: '--seed',
  totalSteps: '--steps/--epochs',
  steps: '--steps',
  epochs: '--epochs',
  shuffleBufferSize: '--shuffle-buffer',
  saveEverySteps: '--save-every',
  logEverySteps: '--log-every',
  workers: '--workers',
  cacheMb: '--cache-mb',
};

/** Checks the numeric options; a WitError names the flag. */
export function validateTrainOptions(options: TrainOptions): void {
  const positiveIntegers = ['epochs', 'steps', 'batchSize', 'imageSize', 'vocabWords', 'minWordCount', 'embedDim', 'saveEverySteps', 'logEverySteps', 'shuffleBufferSize', 'workers'] as const;
  for (const name of positiveIntegers) {
    const value = options[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new WitError(`${optionFlags[name]} must be a positive integer, got ${value}.`);
  }
  if (options.batchSize !== undefined && options.batchSize < 2) throw new WitError(`--batch must be at least 2 (a contrastive batch needs negatives), got ${options.batchSize}.`);
  if (options.warmupSteps !== undefined && (!Number.isInteger(options.warmupSteps) || options.warmupSteps < 0)) {
    throw new WitError(`--warmup must be a whole number of steps, got ${options.warmupSteps}.`);
  }
  for (const name of ['lr', 'gradClipNorm'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new WitError(`${optionFlags[name]} must be a positive number, got ${value}.`);
  }
  if (options.weightDecay !== undefined && !(Number.isFinite(options.weightDecay) && options.weightDecay >= 0)) {
    throw new WitError(`--wd must be a number >= 0, got ${options.weightDecay}.`);
  }
  if (options.cacheMb !== undefined && !(Number.isInteger(options.cacheMb) && options.cacheMb >= 0)) throw new WitError(`--cache-mb must be a whole number of megabytes >= 0, got ${options.cacheMb}.`);
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new WitError(`--seed must be an integer, got ${options.seed}.`);
  if (options.convChannels !== undefined && (options.convChannels.length === 0 || !options.convChannels.every((c) => Number.isInteger(c) && c > 0))) {
    throw new WitError(`--conv-channels must be a comma-separated list of positive integers, got ${options.convChannels.join(',')}.`);
  }
}

/** Settings of a new run: the options with defaults filled in, given how many steps an epoch has. */
export function resolveSettings(options: TrainOptions, stepsPerEpoch: number): TrainSettings {
  const totalSteps = options.steps ?? (options.epochs ?? trainDefaults.epochs) * stepsPerEpoch;
  return {
    batchSize: options.batchSize ?? trainDefaults.batchSize,
    imageSize: options.imageSize ?? trainDefaults.imageSize,
    vocabWords: options.vocabWords ?? trainDefaults.vocabWords,
    minWordCount: options.minWordCount ?? trainDefaults.minWordCount,
    embedDim: options.embedDim ?? trainDefaults.embedDim,
    convChannels: options.convChannels ?? [...trainDefaults.convChannels],
    lr: options.lr ?? trainDefaults.lr,
    weightDecay: options.weightDecay ?? trainDefaults.weightDecay,
    warmupSteps: options.warmupSteps ?? Math.min(trainDefaults.maxDefaultWarmupSteps, Math.floor(totalSteps / 10)),
    gradClipNorm: options.gradClipNorm ?? null,
    seed: options.seed ?? trainDefaults.seed,
    totalSteps,
    shuffleBufferSize: options.shuffleBufferSize ?? trainDefaults.shuffleBufferSize,
  };
}

/** On --resume: every setting given must equal the run's, else the run would not be the same run. */
export function checkResumeOptions(options: TrainOptions, saved: TrainSettings, stepsPerEpoch: number): void {
  const given: Partial<Record<keyof TrainSettings, unknown>> = {
    batchSize: options.batchSize,
    imageSize: options.imageSize,
    vocabWords: options.vocabWords,
    minWordCount: options.minWordCount,
    embedDim: options.embedDim,
    convChannels: options.convChannels,
    lr: options.lr,
    weightDecay: options.weightDecay,
    warmupSteps: options.warmupSteps,
    gradClipNorm: options.gradClipNorm,
    seed: options.seed,
    shuffleBufferSize: options.shuffleBufferSize,
    totalSteps: options.steps ?? (options.epochs !== undefined ? options.epochs * stepsPerEpoch : undefined),
  };
  for (const [name, value] of Object.entries(given) as Array<[keyof TrainSettings, unknown]>) {
    if (value === undefined || JSON.stringify(value) === JSON.stringify(saved[name])) continue;
    throw new WitError(
      `${optionFlags[name]} ${JSON.stringify(value)} differs from the run being resumed (${JSON.stringify(saved[name])}): ` +
        'drop the flag to continue the same run, or start a new run with another --out.',
    );
  }
}
