import type { Argv, CommandModule } from 'yargs';
import { dbCheckImagesCommand } from './db-check-images.js';
import { dbMergeCommand } from './db-merge.js';
import type { ShowKind } from '../../db/index.js';
import { dbOption, jsonOption } from './options.js';

const stats: CommandModule<object, { db: string; json: boolean }> = {
  command: 'stats',
  describe: 'Rows per table and state, top queries, failing hosts, image failures, db size',
  builder: (y) => jsonOption(dbOption(y), 'Print JSON instead of tables'),
  handler: async (argv) => {
    const { collectStats, formatStats, openDb } = await import('../../db/index.js');
    const db = openDb(argv.db, { create: false });
    try {
      const stats = collectStats(db, argv.db);
      console.log(argv.json ? JSON.stringify(stats, null, 2) : formatStats(stats));
    } finally {
      db.close();
    }
  },
};

const sql: CommandModule<object, { db: string; statement: string; json: boolean; csv?: boolean }> = {
  command: 'sql <statement>',
  describe: 'Run one read-only SQL statement (the connection is opened read-only)',
  builder: (y) =>
    jsonOption(dbOption(y), 'Print a JSON array of rows')
      .positional('statement', { type: 'string', demandOption: true, describe: 'e.g. "SELECT origin, count(*) FROM queries GROUP BY 1"' })
      .option('csv', { type: 'boolean', describe: 'Print CSV with a header line' })
      .check((argv) => !(argv.json && argv.csv) || 'Give --json or --csv, not both.'),
  handler: async (argv) => {
    const { openDb, runReadonlySql } = await import('../../db/index.js');
    const { formatCsv, formatTable } = await import('../../core/index.js');
    const db = openDb(argv.db, { readonly: true });
    try {
      const { columns, rows } = runReadonlySql(db, argv.statement);
      if (argv.json) console.log(JSON.stringify(rows, null, 2));
      else if (argv.csv) process.stdout.write(formatCsv(columns, rows));
      else console.log(`${formatTable(columns, rows)}\n(${rows.length} row${rows.length === 1 ? '' : 's'})`);
    } finally {
      db.close();
    }
  },
};

const show: CommandModule<object, { db: string; kind: string; key: string; json: boolean }> = {
  command: 'show <kind> <key>',
  describe: 'Everything known about one query, pair or image, joined',
  builder: (y) =>
    jsonOption(dbOption(y), 'Print JSON')
      .positional('kind', { type: 'string', choices: ['query', 'pair', 'image'] satisfies ShowKind[], demandOption: true })
      .positional('key', { type: 'string', demandOption: true, describe: 'An id; or the query text; or the image URL' }),
  handler: async (argv) => {
    const { openDb, showRow } = await import('../../db/index.js');
    const { formatRecord, formatTable } = await import('../../core/index.js');
    const db = openDb(argv.db, { readonly: true });
    try {
      const shown = showRow(db, argv.kind as 'query' | 'pair' | 'image', argv.key);
      if (argv.json) {
        console.log(JSON.stringify(shown, null, 2));
        return;
      }
      for (const [title, value] of Object.entries(shown)) {
        console.log(`== ${title}`);
        if (value === null || (Array.isArray(value) && value.length === 0)) console.log('(none)');
        else if (!Array.isArray(value)) console.log(formatRecord(value));
        else console.log(formatTable(Object.keys(value[0]!), value));
        console.log('');
      }
    } finally {
      db.close();
    }
  },
};

const check: CommandModule<object, { db: string }> = {
  command: 'check',
  describe: "Run SQLite's integrity check and say whether the file is sound (exit 1 when it is not)",
  builder: (y) => dbOption(y),
  handler: async (argv) => {
    const { checkIntegrity } = await import('../../db/index.js');
    const { WitError } = await import('../../core/index.js');
    const problems = checkIntegrity(argv.db);
    if (problems.length === 0) {
      console.log(`${argv.db} is sound (SQLite integrity_check: ok)`);
      return;
    }
    const shown = problems
      .slice(0, 20)
      .map((problem) => `  ${problem}`)
      .join('\n');
    const more = problems.length > 20 ? `\n  … and ${problems.length - 20} more` : '';
    throw new WitError(
      `${argv.db} is damaged: SQLite's integrity check found ${problems.length} problem(s):\n${shown}${more}\n` +
        `Save what can be read with \`sqlite3 ${argv.db} ".recover" | sqlite3 ${argv.db}.recovered\`, check that copy, then use it in place of ${argv.db}.`,
    );
  },
};

export const dbCommand: CommandModule = {
  command: 'db',
  describe: 'Inspect a wit database: stats, integrity check, read-only SQL, one row joined',
  builder: (y: Argv) =>
    y
      .command(stats)
      .command(check)
      .command(sql)
      .command(show)
      .command(dbCheckImagesCommand)
      .command(dbMergeCommand)
      .demandCommand(1, 'Name a db command: stats, check, sql, show, check-images, merge'),
  handler: () => undefined,
};
