import { openDb } from '../db/index.js';

/** The crawl as the report shows it, read from the db (read-only). */
export interface DbSummary {
  queries: number;
  /** `pair_count` of every query with at least one pair, largest first. */
  pairsPerQuery: number[];
  topQueries: Array<{ text: string; pairs: number }>;
  pairs: number;
  pagesByState: Record<string, number>;
  imagesByState: Record<string, number>;
  imageFailures: Record<string, number>;
  /** Curation decisions (train, val, drop) and drop reasons; empty before `wit shards build`. */
  decisions: Record<string, number>;
  dropReasons: Record<string, number>;
}

export function readDbSummary(path: string): DbSummary {
  const db = openDb(path, { readonly: true });
  try {
    const counts = (sql: string) => Object.fromEntries((db.prepare(sql).raw().all() as Array<[string, number]>).map(([k, v]) => [k ?? 'none', v]));
    const scalar = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      queries: scalar('SELECT count(*) FROM queries'),
      pairsPerQuery: db.prepare('SELECT pair_count FROM queries WHERE pair_count > 0 ORDER BY pair_count DESC').pluck().all() as number[],
      topQueries: db.prepare('SELECT text, pair_count AS pairs FROM queries ORDER BY pair_count DESC, text LIMIT 12').all() as DbSummary['topQueries'],
      pairs: scalar('SELECT count(*) FROM pairs'),
      pagesByState: counts('SELECT state, count(*) FROM pages GROUP BY 1 ORDER BY 2 DESC'),
      imagesByState: counts('SELECT state, count(*) FROM images GROUP BY 1 ORDER BY 2 DESC'),
      imageFailures: counts("SELECT error, count(*) FROM images WHERE state = 'failed' GROUP BY 1 ORDER BY 2 DESC LIMIT 12"),
      decisions: counts('SELECT decision, count(*) FROM curation GROUP BY 1 ORDER BY 2 DESC'),
      dropReasons: counts("SELECT reason, count(*) FROM curation WHERE decision = 'drop' GROUP BY 1 ORDER BY 2 DESC"),
    };
  } finally {
    db.close();
  }
}
