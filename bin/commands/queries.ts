import { once } from 'node:events';
import type { Argv, CommandModule } from 'yargs';
import { WitError } from '../../core/index.js';
import { buildQueriesOptions, exportQueriesOptions } from '../../queries/options.js';
import { checkFlags, dbOption, declareOptions, optionsFromArgv } from './options.js';

const build: CommandModule<object, { db: string }> = {
  command: 'build',
  describe: "Build CLIP's query list: frequent corpus words, high-PMI bigrams, popular titles, WordNet lemmas, your own",
  builder: (y) =>
    dbOption(declareOptions(y, buildQueriesOptions))
      .check(checkFlags(buildQueriesOptions))
      .check((argv) => {
        const { corpusPaths, titlesPath, wordnet, extraPaths } = optionsFromArgv(buildQueriesOptions, argv);
        if (!corpusPaths?.length && !titlesPath && !wordnet && !extraPaths?.length)
          throw new WitError(
            'Name at least one source: --corpus FILE, --titles FILE, --wordnet or --extra FILE; see wit queries build --help.',
            {
              exitCode: 2,
            },
          );
        return true;
      }),
  handler: async (argv) => {
    const { openDb } = await import('../../db/index.js');
    const { ProgressLine } = await import('../../core/index.js');
    const { buildQueries, checkBuildInputs, formatBuildSummary } = await import('../../queries/index.js');
    const progress = new ProgressLine({ label: 'queries build', unit: 'bytes' });
    const given = optionsFromArgv(buildQueriesOptions, argv);
    const options = { ...given, onProgress: progress.update };
    await checkBuildInputs(options); // before the db exists: a typo in a path must not leave an empty db behind
    const db = openDb(argv.db);
    try {
      const result = await buildQueries(db, options);
      if (given.corpusPaths?.length || given.titlesPath || given.extraPaths?.length) progress.finish();
      console.log(formatBuildSummary(result));
    } finally {
      db.close();
    }
  },
};

const importCommand: CommandModule<object, { db: string; file: string }> = {
  command: 'import <file>',
  describe: 'Add each line of FILE (plain or .gz) as a query of origin user',
  builder: (y) => dbOption(y).positional('file', { type: 'string', demandOption: true, normalize: true, describe: 'One query a line' }),
  handler: async (argv) => {
    const { openDb } = await import('../../db/index.js');
    const { ProgressLine } = await import('../../core/index.js');
    const { importQueries } = await import('../../queries/index.js');
    const db = openDb(argv.db);
    const progress = new ProgressLine({ label: 'queries import', unit: 'bytes' });
    try {
      const result = await importQueries(db, argv.file, progress.update);
      progress.finish();
      console.log(
        `read ${result.candidates.toLocaleString('en-US')} queries, added ${result.added.toLocaleString('en-US')} new; the table now holds ${result.total.toLocaleString('en-US')}.`,
      );
    } finally {
      db.close();
    }
  },
};

const exportCommand: CommandModule<object, { db: string }> = {
  command: 'export',
  describe: 'Print the queries, one a line, in the order they were added',
  builder: (y) => dbOption(declareOptions(y, exportQueriesOptions)),
  handler: async (argv) => {
    const { openDb } = await import('../../db/index.js');
    const { exportQueries } = await import('../../queries/index.js');
    const db = openDb(argv.db, { readonly: true });
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
    try {
      for (const chunk of exportQueries(db, optionsFromArgv(exportQueriesOptions, argv).origin)) {
        if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      }
    } finally {
      db.close();
    }
  },
};

export const queriesCommand: CommandModule = {
  command: 'queries',
  describe: "Build, import and export the query list (CLIP's recipe)",
  builder: (y: Argv) =>
    y.command(build).command(importCommand).command(exportCommand).demandCommand(1, 'Name a queries command: build, import, export'),
  handler: () => undefined,
};
