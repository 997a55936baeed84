import type { Argv, CommandModule } from 'yargs';
import { WitError, type ProgressSink } from '../../core/index.js';
import { backendOption, type BackendChoice } from './options.js';

interface RunArgs {
  run: string;
  backend: string;
  batch: number;
  json: boolean;
}

interface LabelledArgs extends RunArgs {
  images?: string;
  list?: string;
  classnames?: string;
  templates?: string;
}

function runOptions<T>(y: Argv<T>) {
  return backendOption(y, 'tfjs backend to embed on; auto picks the fastest that loads')
    .option('run', {
      type: 'string',
      demandOption: true,
      normalize: true,
      describe: 'The run folder `wit train` wrote (the result is appended to its evals.jsonl)',
    })
    .option('batch', { type: 'number', default: 256, describe: 'Images embedded per batch' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the evals.jsonl record as JSON' })
    .check((argv) => positiveInteger(argv.batch as number, '--batch'));
}

function labelledOptions<T>(y: Argv<T>) {
  return runOptions(y)
    .option('images', { type: 'string', normalize: true, describe: 'Image folder: one sub-folder of images per class' })
    .option('list', {
      type: 'string',
      normalize: true,
      describe: 'CSV (path,label) or JSONL ({"path","label"}) list of images; paths relative to the file',
    })
    .conflicts('images', 'list')
    .check((argv) => {
      if (argv.images === undefined && argv.list === undefined)
        throw usageError('Give the images with --images DIR (a sub-folder per class) or --list FILE (CSV or JSONL of path,label).');
      return true;
    })
    .option('classnames', {
      type: 'string',
      normalize: true,
      describe: 'Class names, one per line in sorted class order (default: folder names, underscores as spaces)',
    })
    .option('templates', {
      type: 'string',
      normalize: true,
      describe: 'Prompt templates, one per line with {} for the class (default: "a photo of a {}.")',
    });
}

function source(argv: LabelledArgs) {
  return argv.images !== undefined ? { imagesDir: argv.images } : { listFile: argv.list! };
}

const zeroshot: CommandModule<object, LabelledArgs> = {
  command: 'zeroshot',
  describe: 'Zero-shot accuracy from class names: top-1, top-5, per class, confusion matrix',
  builder: (y) => labelledOptions(y),
  handler: async (argv) => {
    const { evaluateZeroShot, formatSkipped, formatZeroShot } = await import('../../eval/index.js');
    const progress = await embedProgress();
    const result = await evaluateZeroShot({
      runDir: argv.run,
      backend: argv.backend as BackendChoice,
      source: source(argv),
      classNamesFile: argv.classnames,
      templatesFile: argv.templates,
      batchSize: argv.batch,
      command: commandLine(),
      onProgress: progress.update,
      onWarning: printWarning,
    });
    progress.finish();
    if (result.skipped.length > 0) console.error(formatSkipped(result.skipped));
    console.log(argv.json ? JSON.stringify(result.record, null, 2) : formatZeroShot(result.record));
  },
};

const retrieval: CommandModule<object, RunArgs & { shards: string; split: string }> = {
  command: 'retrieval',
  describe: 'Image→text and text→image recall@1/5/10 over a whole shard split',
  builder: (y) =>
    runOptions(y)
      .option('shards', { type: 'string', demandOption: true, normalize: true, describe: 'The shard folder `wit shards build` wrote' })
      .option('split', { type: 'string', choices: ['val', 'train'], default: 'val', describe: 'Which split to rank' }),
  handler: async (argv) => {
    const { evaluateRetrieval, formatRetrieval, formatSkipped } = await import('../../eval/index.js');
    const progress = await embedProgress();
    const result = await evaluateRetrieval({
      runDir: argv.run,
      backend: argv.backend as BackendChoice,
      shardsDir: argv.shards,
      split: argv.split as 'val' | 'train',
      batchSize: argv.batch,
      command: commandLine(),
      onProgress: progress.update,
    });
    progress.finish();
    if (result.skipped.length > 0) console.error(formatSkipped(result.skipped));
    console.log(argv.json ? JSON.stringify(result.record, null, 2) : formatRetrieval(result.record));
  },
};

const linearProbe: CommandModule<object, LabelledArgs & { 'test-fraction': number; seed: number }> = {
  command: 'linear-probe',
  describe: 'Logistic regression on frozen image embeddings, beside zero-shot on the same test images',
  builder: (y) =>
    labelledOptions(y)
      .option('test-fraction', { type: 'number', default: 0.3, describe: 'Fraction of each class held out as the test set' })
      .option('seed', { type: 'number', default: 0, describe: 'Seeds the test split and the validation slice' })
      .check((argv) => {
        const fraction = argv['test-fraction'];
        if (!(fraction > 0 && fraction < 1)) throw usageError(`--test-fraction must be between 0 and 1 (exclusive), got ${fraction}.`);
        if (!Number.isInteger(argv.seed)) throw usageError(`--seed must be an integer, got ${argv.seed}.`);
        return true;
      }),
  handler: async (argv) => {
    const { evaluateLinearProbe, formatLinearProbe, formatSkipped } = await import('../../eval/index.js');
    const progress = await embedProgress();
    const result = await evaluateLinearProbe({
      runDir: argv.run,
      backend: argv.backend as BackendChoice,
      source: source(argv),
      classNamesFile: argv.classnames,
      templatesFile: argv.templates,
      testFraction: argv['test-fraction'],
      seed: argv.seed,
      batchSize: argv.batch,
      command: commandLine(),
      onProgress: progress.update,
      onWarning: printWarning,
    });
    progress.finish();
    if (result.skipped.length > 0) console.error(formatSkipped(result.skipped));
    console.log(argv.json ? JSON.stringify(result.record, null, 2) : formatLinearProbe(result.record));
  },
};

export const evalCommand: CommandModule = {
  command: 'eval <command>',
  describe: 'Zero-shot, retrieval and linear-probe evaluation of a run',
  builder: (y: Argv) =>
    y.command(zeroshot).command(retrieval).command(linearProbe).demandCommand(1, 'Name an eval: zeroshot, retrieval, linear-probe'),
  handler: () => undefined,
};

/** The command line as typed, for the evals.jsonl record. */
export function commandLine(): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
  return ['wit', ...process.argv.slice(2)].map(quote).join(' ');
}

/** A bad flag: the CLI prints the message (it names the flag) and exits 2. */
export function usageError(message: string): WitError {
  return new WitError(message, { exitCode: 2 });
}

export function positiveInteger(value: number, flag: string): true {
  if (!Number.isInteger(value) || value < 1) throw usageError(`${flag} must be a positive integer, got ${value}.`);
  return true;
}

/**
 * A progress line for image embedding, on stderr, started by the first
 * update (so the model's loading time does not count against the rate).
 */
export async function embedProgress(): Promise<{ update: ProgressSink; finish: () => void }> {
  const { ProgressLine } = await import('../../core/index.js');
  let line: InstanceType<typeof ProgressLine> | undefined;
  return {
    update: (update) => (line ??= new ProgressLine({ label: 'embed', unit: 'images' })).update(update),
    finish: () => line?.finish(),
  };
}

export function printWarning(message: string): void {
  console.error(`wit: warning: ${message}`);
}
