import { openDb } from './open.js';
import { isDamage } from './storage-failure.js';

/**
 * SQLite's full integrity check of a db file: the problems it lists, none
 * when the file is sound. The file is opened as a wit db first (so a missing,
 * cut-short or foreign file gets the same message as everywhere else), and
 * nothing is written to it. A page too damaged to read at all is one problem.
 */
export function checkIntegrity(path: string): string[] {
  const db = openDb(path, { readonly: true });
  try {
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const problems = rows.flatMap((row) => row.integrity_check.split('\n')).filter((line) => !line.startsWith('*** in database'));
    return problems.length === 1 && problems[0] === 'ok' ? [] : problems;
  } catch (error) {
    if (isDamage(error)) return [`${error.code}: ${error.message}`];
    throw error;
  } finally {
    db.close();
  }
}
