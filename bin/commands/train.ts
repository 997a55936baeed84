import type { CommandModule } from 'yargs';
import type { TrainResult } from '../../train/index.js';
import { backendOption, flagRanges, jsonOption, mostWorkers, printSummary, type BackendChoice } from './options.js';
import { onStopSignals } from './stop-signals.js';

interface TrainArgs {
  shards?: string;
  out: string;
  backend: string;
  epochs?: number;
  steps?: number;
  batch?: number;
  'image-size'?: number;
  vocab?: number;
  'min-word-count'?: number;
  'embed-dim'?: number;
  'conv-channels'?: string;
  lr?: number;
  wd?: number;
  warmup?: number;
  'grad-clip'?: number;
  seed?: number;
  'save-every'?: number;
  'log-every'?: number;
  'shuffle-buffer'?: number;
  workers?: number;
  'cache-mb'?: number;
  resume: boolean;
  json: boolean;
}

const trainRanges = flagRanges({
  epochs: { least: 1, most: 100_000 },
  steps: { least: 1, most: 1e9 },
  batch: { least: 2, most: 65_536 },
  'image-size': { least: 8, most: 1024 },
  vocab: { least: 1, most: 10_000_000 },
  'embed-dim': { least: 1, most: 8192 },
  lr: { least: 0, most: 3.4e38, fraction: true }, // float32's largest: a huge lr is how one makes a run diverge on purpose
  wd: { least: 0, most: 10, fraction: true },
  warmup: { least: 0, most: 1e9 },
  'grad-clip': { least: 0, most: 1e9, fraction: true },
  seed: { least: 0, most: 2 ** 32 - 1 },
  'save-every': { least: 1, most: 1e9 },
  'log-every': { least: 1, most: 1e9 },
  'shuffle-buffer': { least: 1, most: 10_000_000 },
  workers: { least: 1, most: mostWorkers },
});

// Run settings have no yargs default: on --resume only the flags actually typed are checked against the run.
export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train the bag-of-words contrastive model on shards',
  builder: (y) =>
    backendOption(jsonOption(y), 'tfjs backend; auto picks the fastest that loads and says why (webgpu only on a hardware adapter)')
      .option('shards', { type: 'string', normalize: true, describe: 'Shard folder from `wit shards` (train-*.tar, val-*.tar); on --resume, defaults to the run\'s' })
      .option('out', { type: 'string', normalize: true, demandOption: true, describe: 'Run folder: config.json, vocab.json, checkpoint, metrics.jsonl' })
      .option('epochs', { type: 'number', describe: 'Passes over the train shards [default: 10]' })
      .option('steps', { type: 'number', describe: 'Optimizer steps of the run (instead of --epochs)' })
      .option('batch', { type: 'number', describe: 'Pairs per step [default: 256]' })
      .option('image-size', { type: 'number', describe: 'Training image side in pixels [default: 64]' })
      .option('vocab', { type: 'number', describe: 'Most words in the vocabulary, the most frequent first [default: 20000]' })
      .option('min-word-count', { type: 'number', describe: 'Leave out words seen fewer times in the train captions [default: 1, every word]' })
      .option('embed-dim', { type: 'number', describe: 'Embedding width [default: 256]' })
      .option('conv-channels', { type: 'string', describe: 'Image encoder conv channels, comma-separated [default: 32,64,128,256]' })
      .option('lr', { type: 'number', describe: 'Peak learning rate [default: 0.0005]' })
      .option('wd', { type: 'number', describe: 'Decoupled weight decay [default: 0.2]' })
      .option('warmup', { type: 'number', describe: 'Linear warmup steps [default: a tenth of the run, at most 500]' })
      .option('grad-clip', { type: 'number', describe: 'Clip the gradient global L2 norm to this [default: no clipping]' })
      .option('seed', { type: 'number', describe: 'Seed of the weights, data order and crops [default: 0]' })
      .option('save-every', { type: 'number', describe: 'Steps between checkpoints (and one at the end) [default: 500]' })
      .option('log-every', { type: 'number', describe: 'Steps between metrics lines [default: 10]' })
      .option('shuffle-buffer', { type: 'number', describe: 'Samples in the cross-shard shuffle buffer [default: 2000]' })
      .option('workers', { type: 'number', describe: 'Data-parallel engine workers [default: the engine\'s choice; on --resume, the run\'s]' })
      .option('cache-mb', { type: 'number', describe: 'Megabytes of decoded train images held in memory; past that they are read from decoded.bin in --out [default: a quarter of the RAM, at most 2048]' })
      .option('resume', { type: 'boolean', default: false, describe: 'Continue the run in --out from its last checkpoint' })
      .conflicts('epochs', 'steps')
      .check(trainRanges)
      .check((argv) => argv.resume || argv.shards !== undefined || '--shards is required for a new run: the folder `wit shards` wrote.'),
  handler: async (argv) => {
    const { holdWriterLock } = await import('../../db/index.js');
    const { WitError } = await import('../../core/index.js');
    const { TrainProgress, train } = await import('../../train/index.js');
    const lock = await lockRunFolder(argv.out, holdWriterLock);
    const progress = new TrainProgress();
    const stop = new AbortController();
    // A second signal stops at once; the last checkpoint stays.
    const stopListening = onStopSignals(() => {
      progress.log('stopping after this step and saving a checkpoint (Ctrl-C again to stop at once)');
      stop.abort();
    });
    const result = await train({
      shardsDir: argv.shards,
      outDir: argv.out,
      backend: argv.backend as BackendChoice,
      epochs: argv.epochs,
      steps: argv.steps,
      batchSize: argv.batch,
      imageSize: argv['image-size'],
      vocabWords: argv.vocab,
      minWordCount: argv['min-word-count'],
      embedDim: argv['embed-dim'],
      convChannels: argv['conv-channels'] === undefined ? undefined : parseChannels(argv['conv-channels'], WitError),
      lr: argv.lr,
      weightDecay: argv.wd,
      warmupSteps: argv.warmup,
      gradClipNorm: argv['grad-clip'],
      seed: argv.seed,
      saveEverySteps: argv['save-every'],
      logEverySteps: argv['log-every'],
      shuffleBufferSize: argv['shuffle-buffer'],
      workers: argv.workers,
      cacheMb: argv['cache-mb'],
      resume: argv.resume,
      onMetrics: progress.update,
      log: progress.log,
      signal: stop.signal,
    }).finally(() => {
      lock?.release();
      stopListening();
      progress.finish();
    });
    printSummary(argv.json, result, formatTrainSummary);
  },
};

/** The lines printed when a run ends: steps, last metrics, validation, what was left out, the run folder. */
function formatTrainSummary(result: TrainResult): string {
  const { last, validation } = result;
  const summary = last ? `: loss ${last.loss.toFixed(4)}, in-batch i2t_acc ${last.i2t_acc.toFixed(3)}, t2i_acc ${last.t2i_acc.toFixed(3)}` : ' (nothing left to train)';
  const lines = [`trained ${result.steps}/${result.totalSteps} steps on ${result.backend.name}${summary}`];
  if (validation) {
    lines.push(`validation: i2t_acc ${validation.val_i2t_acc.toFixed(3)}, t2i_acc ${validation.val_t2i_acc.toFixed(3)} over ${validation.val_samples} pairs in batches of ${validation.val_batch} (chance ${(1 / validation.val_batch).toFixed(3)})`);
  }
  const leftOut = Object.entries(result.leftOut).slice(0, 5);
  if (leftOut.length > 0) lines.push(`left out: ${leftOut.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  lines.push(`run folder: ${result.outDir}`);
  return lines.join('\n');
}

/**
 * One `train` per run folder: `OUT/writer.lock`. A folder that cannot be
 * created is left to train itself, which says why.
 */
async function lockRunFolder(out: string, hold: typeof import('../../db/index.js').holdWriterLock) {
  const { mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  try {
    mkdirSync(out, { recursive: true });
  } catch {
    return undefined;
  }
  return hold(join(out, 'writer.lock'), out, 'train');
}

function parseChannels(text: string, WitError: new (message: string, options: { exitCode: number }) => Error): number[] {
  const channels = text.split(',').map((part) => Number(part.trim()));
  if (channels.length === 0 || !channels.every((c) => Number.isInteger(c) && c > 0)) {
    throw new WitError(`--conv-channels must be a comma-separated list of positive integers (e.g. 32,64,128,256), got ${JSON.stringify(text)}.`, { exitCode: 2 });
  }
  return channels;
}
