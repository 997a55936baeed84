import type { CommandModule } from 'yargs';
import { politenessOptions } from '../../crawler/options.js';
import { fetchImagesOptions, processImageOptions } from '../../fetch/options.js';
import { checkFlags, dbOption, declareOptions, jsonOption, optionsFromArgv, printSummary } from './options.js';
import { onStopSignals, stopExitCode } from './stop-signals.js';

interface FetchArgs {
  db: string;
  images: string;
  'retry-failed'?: boolean;
  reason?: string;
  json: boolean;
}

export const fetchCommand: CommandModule<object, FetchArgs> = {
  command: 'fetch',
  describe: 'Download, validate, hash and store every pair image (img2dataset-style), resumably',
  builder: (y) =>
    jsonOption(dbOption(declareOptions(y, processImageOptions, fetchImagesOptions, politenessOptions)))
      .option('images', { type: 'string', default: 'images', normalize: true, describe: 'Image store folder: DIR/ab/cd/<sha256>.jpg' })
      .check(checkFlags(processImageOptions, fetchImagesOptions, politenessOptions)),
  handler: async (argv) => {
    const { existsSync, statSync } = await import('node:fs');
    const { openDbAsWriter } = await import('../../db/index.js');
    const { ProgressLine, WitError } = await import('../../core/index.js');
    const problem = flagProblem(argv);
    if (problem) throw new WitError(`${problem}; see wit fetch --help.`, { exitCode: 2 });
    if (existsSync(argv.images) && !statSync(argv.images).isDirectory()) {
      throw new WitError(`--images ${argv.images} is a file; give a folder for the image store (it is created if missing).`);
    }
    const { fetchImages, formatFetchSummary } = await import('../../fetch/index.js');
    const { db, close } = openDbAsWriter(argv.db, 'fetch');
    const stop = new AbortController();
    const stopListening = onStopSignals(() => {
      console.error('\nwit fetch: stopping after the images in flight (Ctrl-C again to quit now)');
      stop.abort();
    });
    const progress = new ProgressLine({ label: 'fetch', unit: 'images' });
    try {
      const summary = await fetchImages(db, {
        imagesDir: argv.images,
        ...optionsFromArgv(processImageOptions, argv),
        ...optionsFromArgv(fetchImagesOptions, argv),
        fetcher: optionsFromArgv(politenessOptions, argv),
        onProgress: progress.update,
        signal: stop.signal,
      });
      progress.finish();
      printSummary(argv.json, summary, formatFetchSummary);
      if (stop.signal.aborted) process.exitCode = stopExitCode();
    } finally {
      stopListening();
      close();
    }
  },
};

/** What is wrong with flags that parse but make no sense, naming the flag; undefined when all are fine. */
function flagProblem(argv: FetchArgs): string | undefined {
  if (argv.reason !== undefined && !argv['retry-failed']) return '--reason only makes sense with --retry-failed';
  return undefined;
}
