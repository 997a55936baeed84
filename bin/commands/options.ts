import type { Argv } from 'yargs';

/** `--db`, the one database file a crawl lives in. */
export function dbOption<T>(y: Argv<T>) {
  return y.option('db', { type: 'string', default: 'wit.db', describe: 'SQLite database file', normalize: true });
}
