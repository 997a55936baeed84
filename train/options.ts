import { totalmem } from 'node:os';
import {
  checkOptions,
  choice,
  decimal,
  mostWorkers,
  optionTable,
  path,
  resolveOptions,
  seedOption,
  wholeNumber,
  wholeNumberList,
  WitError,
  yesNo,
  type GivenOptions,
} from '../core/index.js';
import type { BackendName } from './engine/index.js';
import type { StepMetrics } from './metrics-log.js';
import type { RunConfig } from './run-config.js';

// Every option of `train()` and `wit train`, declared once: flag, default,
// limits, and what a resumed run does with it (`resume`). The library's
// defaults and checks, the flags and their --help come from here; `prepareRun`
// (prepare-run.ts) resolves a run from them once.

/** The tfjs backends (train/engine's BackendName) and `auto`, listed here so that the CLI starts without loading tfjs. */
const backendChoices = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const satisfies ReadonlyArray<
  BackendName | 'auto'
>;

/** Warmup steps at most when `warmupSteps` is not given (a tenth of the run otherwise). */
const mostDefaultWarmupSteps = 500;
/** Megabytes of the decoded-image cache at most when `cacheMb` is not given (a quarter of the RAM otherwise). */
const mostDefaultCacheMb = 2048;

const backend = choice({
  flag: 'backend',
  choices: backendChoices,
  default: 'auto',
  resume: 'free',
  describe: 'tfjs backend; auto picks the fastest that loads and says why (webgpu only on a hardware adapter)',
});

/** Side of the square training images, in pixels. */
const imageSize = wholeNumber({
  flag: 'image-size',
  least: 8,
  most: 1024,
  default: 64,
  resume: 'match',
  describe: 'Training image side in pixels',
});
/** Width of the shared embedding space. */
const embedDim = wholeNumber({ flag: 'embed-dim', least: 1, most: 8192, default: 256, resume: 'match', describe: 'Embedding width' });
/** Output channels of the image encoder's stride-2 3x3 convolutions. */
const convChannels = wholeNumberList({
  flag: 'conv-channels',
  most: 8192,
  default: [32, 64, 128, 256],
  resume: 'match',
  describe: 'Image encoder conv channels, comma-separated',
});
/** Most words in the vocabulary (the most frequent of the train captions). */
const vocabWords = wholeNumber({
  flag: 'vocab',
  least: 1,
  most: 10_000_000,
  default: 20_000,
  resume: 'match',
  describe: 'Most words in the vocabulary, the most frequent first',
});

/**
 * The model's shape (`ModelConfig`, what `createEngine` builds): the training
 * options of the same name, and the two a run works out, its vocabulary's size
 * and the word width (`--embed-dim` sets both widths).
 */
export const modelOptions = optionTable('ModelConfig', {
  vocabSize: { ...vocabWords, defaultText: undefined },
  embedDim,
  imageSize,
  wordDim: { ...embedDim, default: undefined as number | undefined, defaultText: 'embedDim' },
  convChannels,
});

/** Loading a trained model (`openRun`): the backend only. */
export const openRunOptions = optionTable('OpenRunOptions', { backend });

export const trainOptions = optionTable('TrainOptions', {
  /** The tfjs backend; `auto` takes the fastest that loads and says why. */
  backend,
  /** Passes over the train shards; ignored when `steps` is set. */
  epochs: wholeNumber({ flag: 'epochs', least: 1, most: 100_000, default: 10, resume: 'match', describe: 'Passes over the train shards' }),
  /** Optimizer steps of the whole run; overrides `epochs`. */
  steps: wholeNumber({ flag: 'steps', least: 1, most: 1e9, resume: 'match', describe: 'Optimizer steps of the run (instead of --epochs)' }),
  /** Pairs per step (the contrastive batch: each pair's negatives are the others). */
  batchSize: wholeNumber({ flag: 'batch', least: 2, most: 65_536, default: 256, resume: 'match', describe: 'Pairs per step' }),
  imageSize,
  vocabWords,
  /** Words seen fewer times than this in the train captions are left out of the vocabulary (1: every word; on a small dataset most names are rare). */
  minWordCount: wholeNumber({
    flag: 'min-word-count',
    least: 1,
    default: 1,
    defaultText: '1, every word',
    resume: 'match',
    describe: 'Leave out words seen fewer times in the train captions',
  }),
  embedDim,
  convChannels,
  /** Peak learning rate. Up to float32's largest: a huge lr is how one makes a run diverge on purpose. */
  lr: decimal({ flag: 'lr', above: 0, most: 3.4e38, default: 5e-4, resume: 'match', describe: 'Peak learning rate' }),
  /** Decoupled weight decay (not on biases, gains or the temperature). */
  weightDecay: decimal({ flag: 'wd', least: 0, most: 10, default: 0.2, resume: 'match', describe: 'Decoupled weight decay' }),
  /** Steps of linear warmup; unset: a tenth of the run, at most `mostDefaultWarmupSteps`. */
  warmupSteps: wholeNumber({
    flag: 'warmup',
    least: 0,
    most: 1e9,
    defaultText: `a tenth of the run, at most ${mostDefaultWarmupSteps}`,
    resume: 'match',
    describe: 'Linear warmup steps',
  }),
  /** Clip the gradient's global L2 norm to this; no clipping when unset. */
  gradClipNorm: decimal({
    flag: 'grad-clip',
    above: 0,
    most: 1e9,
    defaultText: 'no clipping',
    resume: 'match',
    describe: 'Clip the gradient global L2 norm to this',
  }),
  /** Seeds the weights, the data order and the crops. */
  seed: seedOption({ flag: 'seed', resume: 'match', describe: 'Seed of the weights, data order and crops' }),
  /** Samples in the shuffle buffer that mixes the shards. */
  shuffleBufferSize: wholeNumber({
    flag: 'shuffle-buffer',
    least: 1,
    most: 10_000_000,
    default: 2000,
    resume: 'match',
    describe: 'Samples in the cross-shard shuffle buffer',
  }),
  /** Steps between checkpoints (one is always written at the end). */
  saveEverySteps: wholeNumber({
    flag: 'save-every',
    least: 1,
    most: 1e9,
    default: 500,
    resume: 'keep',
    describe: 'Steps between checkpoints (and one at the end)',
  }),
  /** Steps between metrics lines. */
  logEverySteps: wholeNumber({
    flag: 'log-every',
    least: 1,
    most: 1e9,
    default: 10,
    resume: 'keep',
    describe: 'Steps between metrics lines',
  }),
  /** Data-parallel workers of the engine; unset: the engine's own default. */
  workers: wholeNumber({
    flag: 'workers',
    least: 1,
    most: mostWorkers,
    defaultText: "the engine's choice; on --resume, the run's",
    resume: 'keep',
    describe: 'Data-parallel engine workers',
  }),
  /**
   * Megabytes of decoded train images held in memory; a larger decoded cache
   * is read from its file in the run folder each epoch (same batches).
   */
  cacheMb: wholeNumber({
    flag: 'cache-mb',
    least: 0,
    defaultText: `a quarter of the RAM, at most ${mostDefaultCacheMb}`,
    resume: 'free',
    describe: 'Megabytes of decoded train images held in memory; past that they are read from decoded.bin in --out',
  }),
});

/** Where a run reads and writes, and whether it continues. */
export const runFolderOptions = optionTable('TrainOptions', {
  /**
   * The folder `wit shards` wrote: `train-*.tar`, optional `val-*.tar`, `sizes.json`.
   * Required for a new run; a resumed run defaults to the folder it started on.
   */
  shardsDir: path({
    flag: 'shards',
    describe: "Shard folder from `wit shards` (train-*.tar, val-*.tar); on --resume, defaults to the run's",
  }),
  /** The run folder: config.json, vocab.json, checkpoint, metrics.jsonl. */
  outDir: path({ flag: 'out', required: true, describe: 'Run folder: config.json, vocab.json, checkpoint, metrics.jsonl' }),
  /** Continue the run in `outDir` from its last checkpoint. */
  resume: yesNo({ flag: 'resume', default: false, describe: 'Continue the run in --out from its last checkpoint' }),
});

/** Options of `train()`, the library face of `wit train`: the declared options, the folders and the hooks. */
export interface TrainOptions extends GivenOptions<typeof trainOptions.entries>, GivenOptions<typeof runFolderOptions.entries> {
  outDir: string;
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

/** The training settings a run keeps in config.json (the `match` options, resolved); a resumed run must not change them. */
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

/** How this process carries the run out: the recorded runtime (`keep`) and the `free` options, resolved. */
export interface RunRuntime {
  saveEverySteps: number;
  logEverySteps: number;
  /** Undefined: the engine's default. */
  workers: number | undefined;
  backend: BackendName | 'auto';
  cacheBytes: number;
}

/** Checks every given option against its declaration: the option error names the flag and the option. */
export function validateTrainOptions(options: TrainOptions): void {
  checkOptions(trainOptions, options);
}

/** Settings of a new run: the options with defaults filled in, given how many steps an epoch has. */
export function resolveSettings(options: TrainOptions, stepsPerEpoch: number): TrainSettings {
  const resolved = resolveOptions(trainOptions, options);
  const totalSteps = resolved.steps ?? resolved.epochs * stepsPerEpoch;
  return {
    batchSize: resolved.batchSize,
    imageSize: resolved.imageSize,
    vocabWords: resolved.vocabWords,
    minWordCount: resolved.minWordCount,
    embedDim: resolved.embedDim,
    convChannels: [...resolved.convChannels],
    lr: resolved.lr,
    weightDecay: resolved.weightDecay,
    warmupSteps: resolved.warmupSteps ?? Math.min(mostDefaultWarmupSteps, Math.floor(totalSteps / 10)),
    gradClipNorm: resolved.gradClipNorm ?? null,
    seed: resolved.seed,
    totalSteps,
    shuffleBufferSize: resolved.shuffleBufferSize,
  };
}

/**
 * This process's runtime: each option as given, else the run's recorded one
 * (`keep`, on a resume), else its default.
 */
export function resolveRuntime(options: TrainOptions, recorded?: RunConfig['runtime']): RunRuntime {
  const resolved = resolveOptions(trainOptions, { ...withoutNull(recorded), ...definedOnly(options) } as TrainOptions);
  const cacheMb = resolved.cacheMb ?? Math.min(mostDefaultCacheMb, Math.floor(totalmem() / 4 / 2 ** 20));
  return {
    saveEverySteps: resolved.saveEverySteps,
    logEverySteps: resolved.logEverySteps,
    workers: resolved.workers,
    backend: resolved.backend,
    cacheBytes: cacheMb * 2 ** 20,
  };
}

/** The runtime a new run records in config.json. */
export function recordedRuntime(runtime: RunRuntime): RunConfig['runtime'] {
  return { saveEverySteps: runtime.saveEverySteps, logEverySteps: runtime.logEverySteps, workers: runtime.workers ?? null };
}

/** On --resume: every `match` option given must equal the run's setting, else the run would not be the same run. */
export function checkResumeOptions(options: TrainOptions, saved: TrainSettings, stepsPerEpoch: number): void {
  const totalSteps = options.steps ?? (options.epochs !== undefined ? options.epochs * stepsPerEpoch : undefined);
  const given: Array<[flag: string, value: unknown, saved: unknown]> = [
    [`--${trainOptions.entries.steps.flag}/--${trainOptions.entries.epochs.flag}`, totalSteps, saved.totalSteps],
  ];
  for (const [key, declared] of Object.entries(trainOptions.entries)) {
    if (declared.resume === 'match' && key in saved)
      given.push([`--${declared.flag}`, options[key as keyof TrainOptions], saved[key as keyof TrainSettings]]);
  }
  for (const [flag, value, savedValue] of given) {
    if (value === undefined || JSON.stringify(value) === JSON.stringify(savedValue)) continue;
    throw new WitError(
      `${flag} ${JSON.stringify(value)} differs from the run being resumed (${JSON.stringify(savedValue)}): ` +
        'drop the flag to continue the same run, or start a new run with another --out.',
    );
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function withoutNull<T extends object>(options: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== null)) as Partial<T>;
}
