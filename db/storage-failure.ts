import Database from 'better-sqlite3';
import { WitError } from '../core/index.js';

/**
 * The db files this process opened. A `SqliteError` does not say which
 * connection raised it, and by the time it reaches the CLI's exit the command
 * has closed its db; a CLI process opens one db (two for `db merge`), so
 * naming the files it opened names the damaged or full one.
 */
const openedDbFiles = new Set<string>();

export function rememberDbFile(path: string): void {
  openedDbFiles.add(path);
}

const fullDiskCodes = new Set(['ENOSPC', 'EDQUOT']);

/**
 * A damaged db or a full disk anywhere under a failure, as the `WitError` the
 * person at the terminal needs (what happened, to which file, what to do);
 * undefined for anything else. The CLI's exit calls this once, so that no
 * store has to wrap each statement.
 */
export function storageFailure(error: unknown): WitError | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof Database.SqliteError) {
      const failure = sqliteFailure(cause);
      if (failure) return failure;
    }
    const code = (cause as NodeJS.ErrnoException).code;
    if (code && fullDiskCodes.has(code)) return fullDisk((cause as NodeJS.ErrnoException).path ?? dbFilesText(), code, cause);
  }
  return undefined;
}

function sqliteFailure(error: InstanceType<typeof Database.SqliteError>): WitError | undefined {
  if (error.code === 'SQLITE_FULL') return fullDisk(dbFilesText(), error.code, error);
  if (!isDamage(error)) return undefined;
  return damagedDb(openedDbFiles.size === 1 ? [...openedDbFiles][0]! : dbFilesText(), `${error.code}: ${error.message}`, error);
}

/** SQLite's word for a file it cannot read as a sound db. */
export function isDamage(error: unknown): error is InstanceType<typeof Database.SqliteError> {
  return error instanceof Database.SqliteError && (error.code.startsWith('SQLITE_CORRUPT') || error.code === 'SQLITE_NOTADB');
}

/** A damaged db file: what was found, and how to save what can be read. */
export function damagedDb(file: string, found: string, cause?: unknown): WitError {
  return new WitError(
    `the database ${file} is damaged (${found}); wit stopped before writing to it. ` +
      `\`wit db check --db ${file}\` lists the damage; \`sqlite3 ${file} ".recover" | sqlite3 ${file}.recovered\` saves what can be read ` +
      '(check that copy, then use it in place of the damaged file).',
    { cause },
  );
}

function fullDisk(file: string, code: string, cause: unknown): WitError {
  return new WitError(
    `the disk holding ${file} is full (${code}). What was written before is kept. ` +
      'Free space (or give a folder on a bigger disk) and run the same command again: the work resumes.',
    { cause },
  );
}

function dbFilesText(): string {
  return openedDbFiles.size === 0 ? 'the database' : [...openedDbFiles].join(' or ');
}
