import { openDb } from './open.js';

/** The crawl as `wit report` shows it, read from the db (read-only). */
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
  /** Of every image stored: original width and height in pixels. */
  imageSizes: Array<{ width: number; height: number }>;
  /** Words in each pair's text. */
  captionWords: number[];
  /** Pairs by where the text came from (alt, figcaption, title, api, list). */
  textOrigins: Record<string, number>;
  /** The 20 hosts with the most pairs and failures, images and pages together. */
  hosts: HostFigures[];
}

export interface HostFigures {
  host: string;
  /** Pairs whose image is on this host (fetched or tried). */
  pairs: number;
  imagesFailed: number;
  pagesFailed: number;
}

export function readDbSummary(path: string): DbSummary {
  const db = openDb(path, { readonly: true });
  try {
    const counts = (sql: string) =>
      Object.fromEntries((db.prepare(sql).raw().all() as Array<[string, number]>).map(([k, v]) => [k ?? 'none', v]));
    const scalar = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      queries: scalar('SELECT count(*) FROM queries'),
      pairsPerQuery: db.prepare('SELECT pair_count FROM queries WHERE pair_count > 0 ORDER BY pair_count DESC').pluck().all() as number[],
      topQueries: db
        .prepare('SELECT text, pair_count AS pairs FROM queries ORDER BY pair_count DESC, text LIMIT 12')
        .all() as DbSummary['topQueries'],
      pairs: scalar('SELECT count(*) FROM pairs'),
      pagesByState: counts('SELECT state, count(*) FROM pages GROUP BY 1 ORDER BY 2 DESC'),
      imagesByState: counts('SELECT state, count(*) FROM images GROUP BY 1 ORDER BY 2 DESC'),
      imageFailures: counts("SELECT error, count(*) FROM images WHERE state = 'failed' GROUP BY 1 ORDER BY 2 DESC LIMIT 12"),
      decisions: counts('SELECT decision, count(*) FROM curation GROUP BY 1 ORDER BY 2 DESC'),
      dropReasons: counts("SELECT reason, count(*) FROM curation WHERE decision = 'drop' GROUP BY 1 ORDER BY 2 DESC"),
      imageSizes: db
        .prepare("SELECT width, height FROM images WHERE state = 'ok' AND width > 0 AND height > 0")
        .all() as DbSummary['imageSizes'],
      captionWords: wordCounts(db.prepare('SELECT text FROM pairs').pluck().iterate() as IterableIterator<string>),
      textOrigins: counts('SELECT text_origin, count(*) FROM pairs GROUP BY 1 ORDER BY 2 DESC'),
      hosts: db.prepare(hostsSql).all() as HostFigures[],
    };
  } finally {
    db.close();
  }
}

const hostsSql = `
  SELECT host, sum(pairs) AS pairs, sum(images_failed) AS imagesFailed, sum(pages_failed) AS pagesFailed FROM (
    SELECT i.host, count(*) AS pairs, 0 AS images_failed, 0 AS pages_failed FROM pairs p JOIN images i ON i.url = p.image_url GROUP BY i.host
    UNION ALL SELECT host, 0, count(*), 0 FROM images WHERE state = 'failed' GROUP BY host
    UNION ALL SELECT host, 0, 0, count(*) FROM pages WHERE state = 'failed' GROUP BY host
  ) GROUP BY host ORDER BY pairs + imagesFailed + pagesFailed DESC, host LIMIT 20`;

function wordCounts(texts: Iterable<string>): number[] {
  const counts: number[] = [];
  for (const text of texts) counts.push(text.split(/\s+/).filter((word) => word !== '').length);
  return counts;
}
