import { WitError } from '../core/index.js';
import type { Row } from '../core/index.js';
import type { Statement } from 'better-sqlite3';
import type { WitDb } from './open.js';

export interface SqlResult {
  columns: string[];
  rows: Row[];
}

/**
 * Runs one read-only statement. The connection is read-only too; checking the
 * statement first turns SQLite's generic failure into a message that says why.
 */
export function runReadonlySql(db: WitDb, sql: string): SqlResult {
  let statement: Statement<unknown[]>;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    throw new WitError(`SQL error: ${(error as Error).message}\n  in: ${sql}`, { cause: error });
  }
  if (!statement.readonly || !statement.reader) {
    throw new WitError(
      '`wit db sql` is read-only: it runs SELECT (and other read-only) statements and refuses ' +
        `INSERT, UPDATE, DELETE, DROP and the like. Nothing was changed.\n  refused: ${sql}`,
    );
  }
  const columns = statement.columns().map((column) => column.name);
  const rows = statement.all() as Row[];
  return { columns, rows };
}
