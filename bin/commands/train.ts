import type { CommandModule } from 'yargs';
import type { TrainResult } from '../../train/index.js';
import { runFolderOptions, trainOptions } from '../../train/options.js';
import { checkFlags, declareOptions, jsonOption, optionsFromArgv, printSummary, requiredOptions } from './options.js';
import { onStopSignals } from './stop-signals.js';

interface TrainArgs {
  json: boolean;
}

// The options come from the stage's table with no yargs default: on --resume only the flags actually typed are checked against the run.
export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train the bag-of-words contrastive model on shards',
  builder: (y) =>
    jsonOption(declareOptions(y, trainOptions, runFolderOptions))
      .conflicts('epochs', 'steps')
      .check(checkFlags(trainOptions, runFolderOptions))
      .check((argv) => {
        const { resume, shardsDir } = optionsFromArgv(runFolderOptions, argv);
        return resume || shardsDir !== undefined || '--shards is required for a new run: the folder `wit shards` wrote.';
      }),
  handler: async (argv) => {
    const { holdWriterLock } = await import('../../db/index.js');
    const { TrainProgress, train } = await import('../../train/index.js');
    const folders = requiredOptions(runFolderOptions, argv);
    const lock = await lockRunFolder(folders.outDir, holdWriterLock);
    const progress = new TrainProgress();
    const stop = new AbortController();
    // A second signal stops at once; the last checkpoint stays.
    const stopListening = onStopSignals(() => {
      progress.log('stopping after this step and saving a checkpoint (Ctrl-C again to stop at once)');
      stop.abort();
    });
    const result = await train({
      ...optionsFromArgv(trainOptions, argv),
      ...folders,
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
  const summary = last
    ? `: loss ${last.loss.toFixed(4)}, in-batch i2t_acc ${last.i2t_acc.toFixed(3)}, t2i_acc ${last.t2i_acc.toFixed(3)}`
    : ' (nothing left to train)';
  const lines = [`trained ${result.steps}/${result.totalSteps} steps on ${result.backend.name}${summary}`];
  if (validation) {
    lines.push(
      `validation: i2t_acc ${validation.val_i2t_acc.toFixed(3)}, t2i_acc ${validation.val_t2i_acc.toFixed(3)} over ${validation.val_samples} pairs in batches of ${validation.val_batch} (chance ${(1 / validation.val_batch).toFixed(3)})`,
    );
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
