import type { Argv, CommandModule } from 'yargs';
import { curateOptions, shardOptions, shardsBuildPaths } from '../../curate/options.js';
import {
  checkFlags,
  dbOption,
  declareOptions,
  jsonOption,
  omitOptions,
  optionsFromArgv,
  printSummary,
  resolvedFromArgv,
} from './options.js';

/** The library's options that the CLI takes as they are; the block lists it reads from files (`shardsBuildPaths`). */
const curateFlags = omitOptions(curateOptions, 'blockWords', 'blockHosts');

const build: CommandModule<object, { db: string; json: boolean }> = {
  command: 'build',
  describe: 'Filter, dedupe (exact, near-duplicate, evaluation overlap), balance and split the pairs; write WebDataset shards',
  builder: (y) =>
    jsonOption(dbOption(declareOptions(y, curateFlags, shardOptions, shardsBuildPaths)))
      .check(checkFlags(curateFlags, shardOptions, shardsBuildPaths))
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
    const { blockWordsFile, blockHostsFile, ...folders } = resolvedFromArgv(shardsBuildPaths, argv);
    const blockWords = await readListFlag(shardsBuildPaths.entries.blockWordsFile.flag, blockWordsFile);
    const blockHosts = await readListFlag(shardsBuildPaths.entries.blockHostsFile.flag, blockHostsFile);
    const { db, close } = openDbAsWriter(argv.db, 'shards build');
    try {
      const result = await buildShards(db, {
        ...folders,
        ...optionsFromArgv(curateFlags, argv),
        ...optionsFromArgv(shardOptions, argv),
        blockWords,
        blockHosts,
        progress: (phase, unit) => new ProgressLine({ label: `shards ${phase}`, unit }),
      });
      printSummary(argv.json, { ...result, outDir: folders.outDir }, (built) => formatBuildSummary(built, built.outDir));
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
