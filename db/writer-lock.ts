import Database from 'better-sqlite3';
import { WitError } from '../core/index.js';
import { openDb, type WitDb } from './open.js';

/** Held until `release()` or the process's end. */
export interface WriterLock {
  release(): void;
}

interface Holder {
  pid: number;
  command: string;
  since: string;
}

/**
 * One writer per db or run folder: takes the lock in `lockFile` or refuses at
 * once, naming the process that holds it.
 *
 * The lock file is a tiny SQLite db held in an open write transaction for the
 * holder's life. SQLite takes it with a POSIX advisory lock, which the kernel
 * drops when the process ends, kill -9 included: a killed writer's lock is
 * simply free again, with no pid-liveness guess (pids are reused) and no race
 * between two processes taking over a stale lock file. This holds on local
 * disks; on NFS it is only as good as the server's lock manager.
 * The holder's pid and start are committed before the long transaction
 * begins, so a refused process can read and name them; a process that loses
 * the lock in that gap is refused like any other.
 */
export function holdWriterLock(lockFile: string, guarded: string, command: string): WriterLock {
  const db = new Database(lockFile, { timeout: 0 });
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, command TEXT NOT NULL, since TEXT NOT NULL)');
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder (pid, command, since) VALUES (?, ?, ?)').run(process.pid, command, new Date().toISOString());
    db.exec('COMMIT');
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    db.close();
    if (!(error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY'))) throw error;
    throw inUse(lockFile, guarded, error);
  }
  return {
    release: () => {
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

/**
 * Opens an existing db for `command` as its one writer: the lock is
 * `wit.db.lock` beside `wit.db` (the file stays; it is free whenever no writer
 * runs). `close()` releases the lock and closes the db.
 */
export function openDbAsWriter(path: string, command: string): { db: WitDb; close(): void } {
  const db = openDb(path, { create: false });
  let lock: WriterLock;
  try {
    lock = holdWriterLock(`${path}.lock`, path, command);
  } catch (error) {
    db.close();
    throw error;
  }
  return {
    db,
    close: () => {
      lock.release();
      db.close();
    },
  };
}

function inUse(lockFile: string, guarded: string, cause: unknown): WitError {
  const holder = readHolder(lockFile);
  const who = holder ? `wit ${holder.command} (pid ${holder.pid}, since ${holder.since})` : 'another wit process';
  return new WitError(
    `${guarded} is in use by ${who}; only one process may write to it at a time. ` +
      'Wait for that one to finish, or stop it (a stopped run resumes where it left off), then run this command again.',
    { cause },
  );
}

function readHolder(lockFile: string): Holder | undefined {
  const db = new Database(lockFile, { readonly: true, timeout: 2000 });
  try {
    return db.prepare('SELECT pid, command, since FROM holder').get() as Holder | undefined;
  } catch {
    return undefined; // the holder is still writing its row: the message says less, the refusal stands
  } finally {
    db.close();
  }
}
