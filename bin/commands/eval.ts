import type { Argv, CommandModule } from 'yargs';
import { WitError, type ProgressSink } from '../../core/index.js';
import type { LabelledImageSource, SkippedImage } from '../../eval/index.js';
import { labelledImageOptions, linearProbeOptions, retrievalOptions, zeroShotOptions } from '../../eval/options.js';
import { checkFlags, declareOptions, jsonOption, optionsFromArgv, requiredOptions } from './options.js';

interface EvalArgs {
  json: boolean;
}

const recordJson = 'Print the evals.jsonl record as JSON';

/** The images of a labelled eval: --images DIR or --list FILE, one of the two. */
function labelledSource<T>(y: Argv<T>) {
  return declareOptions(y, labelledImageOptions)
    .conflicts('images', 'list')
    .check((argv) => {
      if (argv.images === undefined && argv.list === undefined)
        throw usageError('Give the images with --images DIR (a sub-folder per class) or --list FILE (CSV or JSONL of path,label).');
      return true;
    });
}

function source(argv: object): LabelledImageSource {
  const { imagesDir, listFile } = optionsFromArgv(labelledImageOptions, argv);
  return imagesDir !== undefined ? { imagesDir } : { listFile: listFile! };
}

/** Runs an eval behind a progress line, then prints the images it skipped and its record (as JSON with --json). */
async function runEval<R>(
  json: boolean,
  evaluate: (hooks: { command: string; onProgress: ProgressSink }) => Promise<{ record: R; skipped: SkippedImage[] }>,
  format: (record: R) => string,
): Promise<void> {
  const { formatSkipped } = await import('../../eval/index.js');
  const progress = await embedProgress();
  const result = await evaluate({ command: commandLine(), onProgress: progress.update });
  progress.finish();
  if (result.skipped.length > 0) console.error(formatSkipped(result.skipped));
  console.log(json ? JSON.stringify(result.record, null, 2) : format(result.record));
}

const zeroshot: CommandModule<object, EvalArgs> = {
  command: 'zeroshot',
  describe: 'Zero-shot accuracy from class names: top-1, top-5, per class, confusion matrix',
  builder: (y) => jsonOption(labelledSource(declareOptions(y, zeroShotOptions)), recordJson).check(checkFlags(zeroShotOptions)),
  handler: async (argv) => {
    const { evaluateZeroShot, formatZeroShot } = await import('../../eval/index.js');
    const options = { ...requiredOptions(zeroShotOptions, argv), source: source(argv), onWarning: printWarning };
    await runEval(argv.json, (hooks) => evaluateZeroShot({ ...options, ...hooks }), formatZeroShot);
  },
};

const retrieval: CommandModule<object, EvalArgs> = {
  command: 'retrieval',
  describe: 'Image→text and text→image recall@1/5/10 over a whole shard split',
  builder: (y) => jsonOption(declareOptions(y, retrievalOptions), recordJson).check(checkFlags(retrievalOptions)),
  handler: async (argv) => {
    const { evaluateRetrieval, formatRetrieval } = await import('../../eval/index.js');
    const options = requiredOptions(retrievalOptions, argv);
    await runEval(argv.json, (hooks) => evaluateRetrieval({ ...options, ...hooks }), formatRetrieval);
  },
};

const linearProbe: CommandModule<object, EvalArgs> = {
  command: 'linear-probe',
  describe: 'Logistic regression on frozen image embeddings, beside zero-shot on the same test images',
  builder: (y) => jsonOption(labelledSource(declareOptions(y, linearProbeOptions)), recordJson).check(checkFlags(linearProbeOptions)),
  handler: async (argv) => {
    const { evaluateLinearProbe, formatLinearProbe } = await import('../../eval/index.js');
    const options = { ...requiredOptions(linearProbeOptions, argv), source: source(argv), onWarning: printWarning };
    await runEval(argv.json, (hooks) => evaluateLinearProbe({ ...options, ...hooks }), formatLinearProbe);
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
