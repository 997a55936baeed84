import type { Argv, CommandModule } from 'yargs';
import { curateOptions, shardOptions } from '../../curate/options.js';
import { checkFlags, dbOption, declareOptions, jsonOption, omitOptions, optionsFromArgv, printSummary } from './options.js';

interface BuildArgs {
  db: string;
  images: string;
  out: string;
  'block-words'?: string;
  'block-hosts'?: string;
  'exclude-near'?: string;
  json: boolean;
}

/** The library's options that the CLI takes as they are; the block lists it reads from files. */
const curateFlags = omitOptions(curateOptions, 'blockWords', 'blockHosts');

const build: CommandModule<object, BuildArgs> = {
  command: 'build',
  describe: 'Filter, dedupe (exact, near-duplicate, evaluation overlap), balance and split the pairs; write WebDataset shards',
  builder: (y) =>
    jsonOption(dbOption(declareOptions(y, curateFlags, shardOptions)))
      .option('images', {
        type: 'string',
        default: 'images',
        normalize: true,
        describe: 'The image store `wit fetch` wrote (images.path is relative to it)',
      })
      .option('out', {
        type: 'string',
        default: 'shards',
        normalize: true,
        describe: 'Folder for train-*.tar, val-*.tar, sizes.json, manifest.json',
      })
      .option('block-words', { type: 'string', normalize: true, describe: curateOptions.entries.blockWords.describe })
      .option('block-hosts', { type: 'string', normalize: true, describe: curateOptions.entries.blockHosts.describe })
      .option('exclude-near', {
        type: 'string',
        normalize: true,
        describe: 'Folder of evaluation images: drop pairs whose image is a near duplicate of one',
      })
      .check(checkFlags(curateFlags, shardOptions))
      .check(async (argv) => {
        // Thrown: a WitError prints as the message alone (exit 2), not a stack trace.
        const { languages } = optionsFromArgv(curateOptions, argv);
        if (languages) await (await import('../../curate/index.js')).checkLanguages(languages);
        return true;
      }),
  handler: async (argv) => {
    const { openDbAsWriter } = await import('../../db/index.js');
    const { ProgressLine } = await import('../../core/index.js');
    const { buildShards, formatBuildSummary } = await import('../../curate/index.js');
    const blockWords = await readListFlag('block-words', argv['block-words']);
    const blockHosts = await readListFlag('block-hosts', argv['block-hosts']);
    const { db, close } = openDbAsWriter(argv.db, 'shards build');
    try {
      const result = await buildShards(db, {
        imagesDir: argv.images,
        outDir: argv.out,
        ...optionsFromArgv(curateFlags, argv),
        ...optionsFromArgv(shardOptions, argv),
        blockWords,
        blockHosts,
        excludeNearDir: argv['exclude-near'],
        progress: (phase, unit) => new ProgressLine({ label: `shards ${phase}`, unit }),
      });
      printSummary(argv.json, { ...result, outDir: argv.out }, (built) => formatBuildSummary(built, built.outDir));
    } finally {
      close();
    }
  },
};

async function readListFlag(flag: string, path: string | undefined): Promise<string[]> {
  if (!path) return [];
  const { readFile } = await import('node:fs/promises');
  const { WitError } = await import('../../core/index.js');
  const { parseListFile } = await import('../../curate/index.js');
  try {
    return parseListFile(await readFile(path, 'utf8'));
  } catch (error) {
    throw new WitError(
      `--${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a text file, one entry a line.`,
    );
  }
}

export const shardsCommand: CommandModule = {
  command: 'shards',
  describe: 'Filter, dedupe, balance the pairs and write WebDataset shards',
  builder: (y: Argv) => y.command(build).demandCommand(1, 'Name a shards command: build'),
  handler: () => undefined,
};
