import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { WitError } from '../core/index.js';
import { latestVersion, migrations } from './migrations.js';
import { damagedDb, isDamage, rememberDbFile } from './storage-failure.js';

export type WitDb = Database.Database;

export interface OpenDbOptions {
  /**
   * Open read-only: the file must exist and is never migrated or written.
   * @default false
   */
  readonly?: boolean;
  /**
   * Create the file when it does not exist. Inspection commands turn this off
   * so that a typo in `--db` is an error, not a new empty db.
   * @default true
   */
  create?: boolean;
}

const newDbPageSize = 16384;
const sqliteMagic = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens (creating if needed) a wit database: WAL, `synchronous=NORMAL`, foreign
 * keys on, schema migrated forward to the version this code knows.
 * A db from a newer wit is refused before anything is written to it.
 */
export function openDb(path: string, options: OpenDbOptions = {}): WitDb {
  const file = resolve(path);
  checkPath(file, options.readonly === true || options.create === false);
  const header = readHeader(file);
  if (header) {
    refuseTruncated(path, header);
    refuseNewer(path, header.readUInt32BE(60));
  }
  rememberDbFile(path);
  if (options.readonly) return openReadonly(file, path);
  const db = connect(file, path, {});
  let version: number;
  try {
    version = connectionVersion(db);
    refuseNewer(path, version);
    if (version > 0) refuseDamaged(db, path);
  } catch (error) {
    db.close();
    throw isDamage(error) ? damagedDb(path, `${error.code}: ${error.message}`, error) : error;
  }
  // Takes effect only on a new, empty file. 16 KiB pages hold more of the
  // pairs table's long (image_url, text) keys per B-tree page: bench/crawl
  // stores 29% more pairs/s through the cap check than with 4 KiB pages.
  if (version === 0) db.pragma(`page_size = ${newDbPageSize}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = OFF'); // better-sqlite3 turns them on by default
  migrate(db, version);
  db.pragma('foreign_keys = ON');
  return db;
}

function refuseNewer(path: string, version: number): void {
  if (version <= latestVersion) return;
  throw new WitError(
    `${path} has schema version ${version}, but this wit knows only up to ${latestVersion}. ` +
      'It was written by a newer wit: upgrade wit to open it. The file was not changed.',
  );
}

function connectionVersion(db: WitDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function openReadonly(file: string, path: string): WitDb {
  const db = connect(file, path, { readonly: true, fileMustExist: true });
  const version = connectionVersion(db);
  if (version !== latestVersion) {
    db.close();
    refuseNewer(path, version);
    throw new WitError(
      `${path} has schema version ${version}, older than this wit's ${latestVersion}. ` +
        `Run \`wit db stats --db ${path}\` once to migrate it.`,
    );
  }
  db.pragma('query_only = ON');
  return db;
}

function connect(file: string, path: string, options: Database.Options): WitDb {
  try {
    const db = new Database(file, options);
    db.pragma('busy_timeout = 10000');
    return db;
  } catch (error) {
    throw new WitError(`Cannot open database ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function checkPath(file: string, mustExist: boolean): void {
  if (!existsSync(dirname(file))) {
    throw new WitError(`Cannot open database ${file}: the folder ${dirname(file)} does not exist.`);
  }
  if (!existsSync(file)) {
    if (mustExist) throw new WitError(`Database ${file} does not exist. Create one with \`wit queries build --db ${file}\`.`);
    return;
  }
  if (statSync(file).isDirectory()) throw new WitError(`${file} is a folder, not a wit database file.`);
  if (statSync(file).size > 0 && !hasSqliteHeader(file)) {
    throw new WitError(`${file} is not a SQLite database (wrong file header); it was left untouched.`);
  }
}

function hasSqliteHeader(file: string): boolean {
  const header = Buffer.alloc(sqliteMagic.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  return header.equals(sqliteMagic);
}

/**
 * The 100-byte file header, or undefined for a new or empty file. Its
 * `user_version` (offset 60) lets a db from a newer wit be refused before
 * SQLite creates a WAL for it; the connection's value, which also sees an
 * uncheckpointed WAL, is what migration trusts.
 */
function readHeader(file: string): Buffer | undefined {
  if (!existsSync(file) || statSync(file).size < 100) return undefined;
  const header = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  return header;
}

/**
 * A file shorter than the page count in its header lost its end (a copy cut
 * short, a full disk while copying). Caught here, before anything is written,
 * since SQLite itself notices only when a statement reaches a missing page.
 * The count is valid only while offset 92 matches the change counter (24),
 * and only without a WAL: a checkpoint cut short by a kill may have written
 * page 1 before the pages that extend the file, and the WAL still holds them.
 */
function refuseTruncated(path: string, header: Buffer): void {
  if (header.readUInt32BE(92) !== header.readUInt32BE(24)) return;
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) return;
  const pageSize = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
  const expectedBytes = header.readUInt32BE(28) * pageSize;
  const bytes = statSync(path).size;
  if (bytes >= expectedBytes) return;
  throw damagedDb(path, `cut short: ${bytes} bytes of the ${expectedBytes} its header counts`);
}

/** Dbs up to this size are read through for damage when opened for writing. */
const quickCheckMaxBytes = 2 ** 30;

/**
 * SQLite finds damage only when a statement reaches it, and a crawl would
 * have written to sound pages by then; so a db opened for writing is read
 * through first (quick_check: every page, no index cross-check; 228 MB took
 * 1.9 s here). A damaged file is refused before anything is written. Past
 * `quickCheckMaxBytes` that read would cost minutes at every start (a
 * 400M-pair db is about 100 GB): there damage is found where a statement
 * meets it (still a clean exit 1 naming the file), and `wit db check` reads it all.
 */
function refuseDamaged(db: WitDb, path: string): void {
  if (statSync(path).size > quickCheckMaxBytes) return;
  const [first] = db.pragma('quick_check(1)', { simple: false }) as Array<{ quick_check: string }>;
  if (!first || first.quick_check === 'ok') return;
  const problem = first.quick_check.split('\n').find((line) => !line.startsWith('*** in database')) ?? first.quick_check;
  throw damagedDb(path, `quick_check: ${problem}`);
}

/**
 * Runs with foreign keys off, as SQLite's table-rebuild recipe asks (a step may
 * drop and recreate a referenced table); each step must leave every reference sound.
 */
function migrate(db: WitDb, from: number): void {
  for (const step of migrations) {
    if (step.version <= from) continue;
    db.transaction(() => {
      step.up(db);
      if ((db.pragma('foreign_key_check') as unknown[]).length > 0) throw new Error(`migration ${step.version} left dangling references`);
      db.pragma(`user_version = ${step.version}`);
    })();
  }
}
