import type { CommandModule } from 'yargs';
import { dbOption, disallowedDirectivesOption, flagRanges, jsonOption, mostDelayMillis, mostWorkers, printSummary, type RobotsDirective } from './options.js';
import { onStopSignals, stopExitCode } from './stop-signals.js';

interface FetchArgs {
  db: string;
  images: string;
  size: number;
  'min-side': number;
  'max-pixels': number;
  'max-image-bytes': number;
  'allow-svg': boolean;
  'retry-failed': boolean;
  reason?: string;
  concurrency: number;
  'per-host': number;
  'host-delay-millis': number;
  'timeout-secs': number;
  'decode-concurrency'?: number;
  'allow-private': boolean;
  'disallowed-header-directives': RobotsDirective[];
  json: boolean;
}

const fetchRanges = flagRanges({
  size: { least: 8, most: 8192 },
  'min-side': { least: 1, most: 8192 },
  'max-pixels': { least: 1, most: 1e10 },
  'max-image-bytes': { least: 1, most: 1024 ** 3 },
  concurrency: { least: 1, most: 1024 },
  'per-host': { least: 1, most: 64 },
  'host-delay-millis': { least: 0, most: mostDelayMillis },
  'timeout-secs': { least: 1, most: 3600 },
  'decode-concurrency': { least: 1, most: mostWorkers },
});

export const fetchCommand: CommandModule<object, FetchArgs> = {
  command: 'fetch',
  describe: 'Download, validate, hash and store every pair image (img2dataset-style), resumably',
  builder: (y) =>
    jsonOption(dbOption(y))
      .option('images', { type: 'string', default: 'images', normalize: true, describe: 'Image store folder: DIR/ab/cd/<sha256>.jpg' })
      .option('size', { type: 'number', default: 256, describe: 'Shorter side of the stored JPEG in px (never upscaled)' })
      .option('min-side', { type: 'number', default: 64, describe: 'Refuse images whose shorter side is below this (too_small)' })
      .option('max-pixels', { type: 'number', default: 89_478_485, describe: 'Refuse images declaring more pixels (too_many_pixels); PIL default' })
      .option('max-image-bytes', { type: 'number', default: 20 * 1024 * 1024, describe: 'Refuse downloads larger than this (too_large)' })
      .option('allow-svg', { type: 'boolean', default: false, describe: 'Rasterise SVG instead of refusing it (svg_refused)' })
      .option('retry-failed', { type: 'boolean', default: false, describe: 'Try failed images again' })
      .option('reason', { type: 'string', describe: 'With --retry-failed: only images failed with this reason (e.g. timeout)' })
      .option('concurrency', { type: 'number', default: 32, describe: 'Downloads in flight' })
      .option('per-host', { type: 'number', default: 2, describe: 'Downloads in flight to one host' })
      .option('host-delay-millis', { alias: 'host-delay', type: 'number', default: 250, describe: 'Least time between two requests to one host' })
      .option('timeout-secs', { alias: 'timeout', type: 'number', default: 30, describe: 'Limit for one download, body included' })
      .option('decode-concurrency', { type: 'number', describe: 'Images decoded at once [default: CPU cores]' })
      .option('allow-private', { type: 'boolean', default: false, describe: 'Allow loopback and private addresses (local test sites)' })
      .option('disallowed-header-directives', disallowedDirectivesOption)
      .check(fetchRanges),
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
        size: argv.size,
        minSide: argv['min-side'],
        maxPixels: argv['max-pixels'],
        maxImageBytes: argv['max-image-bytes'],
        allowSvg: argv['allow-svg'],
        retryFailed: argv['retry-failed'],
        retryReason: argv.reason,
        decodeConcurrency: argv['decode-concurrency'],
        fetcher: {
          concurrency: argv.concurrency,
          perHost: argv['per-host'],
          hostDelayMillis: argv['host-delay-millis'],
          timeoutSecs: argv['timeout-secs'],
          allowPrivate: argv['allow-private'],
          disallowedDirectives: argv['disallowed-header-directives'],
        },
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
