import type { Statement } from 'better-sqlite3';
import type { WitDb } from './open.js';

// The pairs table: the statements the crawler's cap check (crawler/pair-cap.ts,
// which owns that rule) runs inside its write transaction, and a count.

/** Where a pair's text came from (the schema's CHECK): an attribute of the image, the search API's field, a URL list's column. */
export type TextOrigin = 'alt' | 'figcaption' | 'title' | 'api' | 'list';

/** The cap check's statements, prepared once per writer. */
export interface PairCapStatements {
  /** A query's `pair_count`. */
  pairCount: Statement<[number], { pair_count: number }>;
  /** The `pair_count` of each query id in a JSON array. */
  pairCounts: Statement<[string], { id: number; pair_count: number }>;
  /** One pair: image_url, text, text_origin, page_url, query_id, extra, created_at; a pair already stored changes nothing. */
  insert: Statement;
  /** New counts from a JSON array of [query id, pair_count]. */
  setCounts: Statement<[string]>;
  /** A query that reached the cap. */
  markDone: Statement<[number]>;
}

// A batch touches most queries when its pairs are spread over them (the emptiest query first):
// their counts are read and written in one statement each, not one per query.
export function pairCapStatements(db: WitDb): PairCapStatements {
  return {
    pairCount: db.prepare('SELECT pair_count FROM queries WHERE id = ?'),
    pairCounts: db.prepare('SELECT id, pair_count FROM queries WHERE id IN (SELECT value FROM json_each(?))'),
    insert: db.prepare(
      `INSERT INTO pairs (image_url, text, text_origin, page_url, query_id, extra, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (image_url, text) DO NOTHING`,
    ),
    setCounts: db.prepare(
      'UPDATE queries SET pair_count = counts.value ->> 1 FROM json_each(?) AS counts WHERE queries.id = counts.value ->> 0',
    ),
    markDone: db.prepare(`UPDATE queries SET state = 'done' WHERE id = ?`),
  };
}

export function countPairs(db: WitDb): number {
  return db.prepare('SELECT count(*) FROM pairs').pluck().get() as number;
}
