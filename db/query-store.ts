import type { WitDb } from './open.js';

/** Where a query came from, in precedence order: a query keeps the first origin that produced it. */
export const queryOrigins = ['unigram', 'bigram', 'title', 'wordnet', 'user'] as const;
export type QueryOrigin = (typeof queryOrigins)[number];

export interface NewQuery {
  /** Already normalized (`normalizeText`): the stored text is the canonical form. */
  text: string;
  origin: QueryOrigin;
}

export interface QueryText {
  id: number;
  text: string;
  origin: QueryOrigin;
}

/**
 * Inserts the queries whose text is not stored yet, in one transaction, and
 * returns how many were new; stops once `maxNew` were added. Existing rows
 * (origin, pair_count, state, cursor) are never touched.
 */
export function insertNewQueries(db: WitDb, queries: Iterable<NewQuery>, maxNew = Infinity): number {
  const insert = db.prepare('INSERT OR IGNORE INTO queries (text, origin) VALUES (?, ?)');
  return db.transaction(() => {
    let added = 0;
    for (const query of queries) {
      if (added >= maxNew) break;
      added += insert.run(query.text, query.origin).changes;
    }
    return added;
  })();
}

/** Number of stored queries, of one origin or all. */
export function countQueries(db: WitDb, origin?: QueryOrigin): number {
  const row = origin
    ? db.prepare('SELECT count(*) AS n FROM queries WHERE origin = ?').get(origin)
    : db.prepare('SELECT count(*) AS n FROM queries').get();
  return (row as { n: number }).n;
}

/** Stored queries in id order (the order they were added), of one origin or all. */
export function iterateQueryTexts(db: WitDb, origin?: QueryOrigin): IterableIterator<QueryText> {
  const statement = origin
    ? db.prepare('SELECT id, text, origin FROM queries WHERE origin = ? ORDER BY id').bind(origin)
    : db.prepare('SELECT id, text, origin FROM queries ORDER BY id');
  return statement.iterate() as IterableIterator<QueryText>;
}
