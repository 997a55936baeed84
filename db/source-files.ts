import type { WitDb } from './open.js';

// Typed access to `source_files`: the resume state of the file sources (web
// archives and URL+caption lists), one row per file or URL.

export type SourceFileKind = 'warc' | 'list';
export type SourceFileState = 'pending' | 'running' | 'done' | 'failed';

export interface SourceFileRow {
  id: number;
  kind: SourceFileKind;
  /** The path or URL as the user gave it (after any prefix was put before it). */
  location: string;
  state: SourceFileState;
  /** Where reading resumes: a byte offset for an archive, the rows committed for a list. */
  position: number;
  /** Records (archive) or rows (list) read so far. */
  records: number;
  /** Pairs stored from this file so far. */
  pairs: number;
  error: string | null;
  updated_at: string;
}

/** Adds the files not known yet (by location); returns how many were new. Known files keep their state. */
export function addSourceFiles(db: WitDb, kind: SourceFileKind, locations: Iterable<string>): number {
  const insert = db.prepare('INSERT INTO source_files (kind, location) VALUES (?, ?) ON CONFLICT (location) DO NOTHING');
  return db.transaction(() => {
    let added = 0;
    for (const location of locations) added += insert.run(kind, location).changes;
    return added;
  })();
}

export function sourceFileAt(db: WitDb, location: string): SourceFileRow | undefined {
  return db.prepare('SELECT * FROM source_files WHERE location = ?').get(location) as SourceFileRow | undefined;
}

/** Files of `kind` not finished yet (pending, or running when a crawl stopped), in the order they were added. */
export function unfinishedSourceFiles(db: WitDb, kind: SourceFileKind): SourceFileRow[] {
  return db
    .prepare("SELECT * FROM source_files WHERE kind = ? AND state IN ('pending', 'running') ORDER BY id")
    .all(kind) as SourceFileRow[];
}

/**
 * Moves a file's resume point forward. Call it in the same transaction that
 * stores the pairs read up to `position`, so a kill between the two cannot happen.
 */
export function advanceSourceFile(db: WitDb, id: number, progress: { position: number; records: number; pairs: number }): void {
  db.prepare(
    `UPDATE source_files SET state = 'running', position = @position, records = records + @records, pairs = pairs + @pairs,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     WHERE id = @id`,
  ).run({ id, ...progress });
}

/** Ends a file: `done`, or `failed` with the reason (its pairs so far are kept; `position` says where it broke). */
export function finishSourceFile(db: WitDb, id: number, outcome: { state: 'done' } | { state: 'failed'; error: string }): void {
  db.prepare(`UPDATE source_files SET state = ?, error = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`).run(
    outcome.state,
    outcome.state === 'failed' ? outcome.error : null,
    id,
  );
}

/** Files per kind and state, for `wit db stats`. */
export function countSourceFiles(db: WitDb): Array<{ kind: SourceFileKind; state: SourceFileState; files: number; pairs: number }> {
  return db
    .prepare('SELECT kind, state, count(*) AS files, sum(pairs) AS pairs FROM source_files GROUP BY kind, state ORDER BY kind, state')
    .all() as Array<{ kind: SourceFileKind; state: SourceFileState; files: number; pairs: number }>;
}
