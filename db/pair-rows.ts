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
  /** One pair: image_url, text, text_origin, page_url, query_id, extra, created_at; a pair already stored changes nothing. */
  insert: Statement;
  /** A query's new `pair_count` (`@count`, `@id`), marked done when it reaches `@cap`. */
  setCount: Statement;
}

export function pairCapStatements(db: WitDb): PairCapStatements {
  return {
    pairCount: db.prepare('SELECT pair_count FROM queries WHERE id = ?'),
    insert: db.prepare(
      `INSERT INTO pairs (image_url, text, text_origin, page_url, query_id, extra, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (image_url, text) DO NOTHING`,
    ),
    setCount: db.prepare(
      `UPDATE queries SET pair_count = @count, state = CASE WHEN @count >= @cap THEN 'done' ELSE state END WHERE id = @id`,
    ),
  };
}

export function countPairs(db: WitDb): number {
  return db.prepare('SELECT count(*) FROM pairs').pluck().get() as number;
}
