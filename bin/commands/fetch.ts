import type { CommandModule } from 'yargs';
import { politenessOptions } from '../../crawler/options.js';
import { fetchImagesOptions, imageStoreOptions, processImageOptions } from '../../fetch/options.js';
import { checkFlags, dbOption, declareOptions, jsonOption, optionsFromArgv, printSummary, resolvedFromArgv } from './options.js';
import { onStopSignals, stopExitCode } from './stop-signals.js';

interface FetchArgs {
  db: string;
  json: boolean;
}

const tables = [imageStoreOptions, processImageOptions, fetchImagesOptions, politenessOptions];

export const fetchCommand: CommandModule<object, FetchArgs> = {
  command: 'fetch',
  describe: 'Download, validate, hash and store every pair image (img2dataset-style), resumably',
  builder: (y) => jsonOption(dbOption(declareOptions(y, ...tables))).check(checkFlags(...tables)),
  handler: async (argv) => {
    const { existsSync, statSync } = await import('node:fs');
    const { openDbAsWriter } = await import('../../db/index.js');
    const { ProgressLine, WitError } = await import('../../core/index.js');
    const { imagesDir } = resolvedFromArgv(imageStoreOptions, argv);
    const options = optionsFromArgv(fetchImagesOptions, argv);
    if (options.retryReason !== undefined && !options.retryFailed)
      throw new WitError('--reason only makes sense with --retry-failed; see wit fetch --help.', { exitCode: 2 });
    if (existsSync(imagesDir) && !statSync(imagesDir).isDirectory()) {
      throw new WitError(`--images ${imagesDir} is a file; give a folder for the image store (it is created if missing).`);
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
        imagesDir,
        ...optionsFromArgv(processImageOptions, argv),
        ...options,
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
