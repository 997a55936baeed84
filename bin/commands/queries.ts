import { once } from 'node:events';
import type { Argv, CommandModule } from 'yargs';
import { dbOption } from './options.js';

interface BuildArgs {
  db: string;
  corpus: string[];
  'min-count': number;
  'bigram-pmi': number;
  'bigram-min-count'?: number;
  titles?: string;
  'min-views': number;
  wordnet: boolean;
  extra: string[];
  limit?: number;
  'max-tracked-unigrams': number;
  'max-tracked-bigrams': number;
}

const positiveIntegers = ['min-count', 'bigram-min-count', 'limit', 'max-tracked-unigrams', 'max-tracked-bigrams'] as const;

const build: CommandModule<object, BuildArgs> = {
  command: 'build',
  describe: "Build CLIP's query list: frequent corpus words, high-PMI bigrams, popular titles, WordNet lemmas, your own",
  builder: (y) =>
    dbOption(y)
      .option('corpus', {
        type: 'string',
        array: true,
        default: [],
        normalize: true,
        describe: 'Text corpus, plain or .gz, one document a line (repeatable)',
      })
      .option('min-count', { type: 'number', default: 100, describe: 'Keep corpus words counted at least this often' })
      .option('bigram-pmi', { type: 'number', default: 30, describe: 'Keep bigrams with PMI, as p(a b)/(p(a)p(b)), at least this' })
      .option('bigram-min-count', { type: 'number', describe: 'Keep bigrams counted at least this often [default: --min-count]' })
      .option('titles', { type: 'string', normalize: true, describe: 'title<TAB>views file (e.g. Wikipedia page views)' })
      .option('min-views', { type: 'number', default: 70, describe: 'With --titles: keep titles with at least this many views' })
      .option('wordnet', { type: 'boolean', default: false, describe: 'Add every lemma of every WordNet 3.1 synset' })
      .option('extra', {
        type: 'string',
        array: true,
        default: [],
        normalize: true,
        describe: 'File of your own queries, one a line (repeatable)',
      })
      .option('limit', { type: 'number', describe: 'The table holds at most this many queries after the build' })
      .option('max-tracked-unigrams', {
        type: 'number',
        default: 2_000_000,
        describe: 'Distinct words held while counting (~100 B each); rarer ones are pruned when full',
      })
      .option('max-tracked-bigrams', {
        type: 'number',
        default: 12_000_000,
        describe: 'Distinct bigrams held while counting (<= 16 B each); rarer ones are pruned when full',
      }),
  handler: async (argv) => {
    const { openDb } = await import('../../db/index.js');
    const { ProgressLine, WitError } = await import('../../core/index.js');
    const problem = buildFlagProblem(argv);
    if (problem) throw new WitError(`${problem}; see wit queries build --help.`, { exitCode: 2 });
    const { buildQueries, checkBuildInputs, formatBuildSummary } = await import('../../queries/index.js');
    const progress = new ProgressLine({ label: 'queries build', unit: 'bytes' });
    const options = {
      corpusPaths: argv.corpus,
      minCount: argv['min-count'],
      bigramPmi: argv['bigram-pmi'],
      bigramMinCount: argv['bigram-min-count'],
      titlesPath: argv.titles,
      minViews: argv['min-views'],
      wordnet: argv.wordnet,
      extraPaths: argv.extra,
      limit: argv.limit,
      maxTrackedUnigrams: argv['max-tracked-unigrams'],
      maxTrackedBigrams: argv['max-tracked-bigrams'],
      onProgress: progress.update,
    };
    await checkBuildInputs(options); // before the db exists: a typo in a path must not leave an empty db behind
    const db = openDb(argv.db);
    try {
      const result = await buildQueries(db, options);
      if (argv.corpus.length > 0 || argv.titles || argv.extra.length > 0) progress.finish();
      console.log(formatBuildSummary(result));
    } finally {
      db.close();
    }
  },
};

function buildFlagProblem(argv: BuildArgs): string | undefined {
  for (const flag of positiveIntegers) {
    const value = argv[flag];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) return `--${flag} must be a positive whole number, got ${value}`;
  }
  if (!(argv['bigram-pmi'] >= 0)) return `--bigram-pmi must be a number >= 0, got ${argv['bigram-pmi']}`;
  if (!(Number.isInteger(argv['min-views']) && argv['min-views'] >= 0))
    return `--min-views must be a whole number >= 0, got ${argv['min-views']}`;
  if (argv.corpus.length === 0 && !argv.titles && !argv.wordnet && argv.extra.length === 0) {
    return 'Name at least one source: --corpus FILE, --titles FILE, --wordnet or --extra FILE';
  }
  return undefined;
}

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

const exportCommand: CommandModule<object, { db: string; origin?: string }> = {
  command: 'export',
  describe: 'Print the queries, one a line, in the order they were added',
  builder: (y) =>
    dbOption(y).option('origin', {
      type: 'string',
      choices: ['unigram', 'bigram', 'title', 'wordnet', 'user'],
      describe: 'Only queries of this origin',
    }),
  handler: async (argv) => {
    const { openDb } = await import('../../db/index.js');
    const { exportQueries } = await import('../../queries/index.js');
    const db = openDb(argv.db, { readonly: true });
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
    try {
      for (const chunk of exportQueries(db, argv.origin as Parameters<typeof exportQueries>[1])) {
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
