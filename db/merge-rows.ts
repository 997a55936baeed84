import type { WitDb } from './open.js';
import type { TextOrigin } from './pair-rows.js';

// `wit db merge`: the rows of a partition db, attached as `src`, merged into
// the open one. Pairs are not merged here: they go through the crawler's cap
// check again (crawler/merge.ts), read in chunks from `inputPairChunks`.

const stateRank = (column: string, order: readonly string[]) =>
  `CASE ${column} ${order.map((state, rank) => `WHEN '${state}' THEN ${rank}`).join(' ')} ELSE -1 END`;
const queryOrder = ['pending', 'running', 'failed', 'done'] as const;
const pageOrder = ['pending', 'failed', 'skipped', 'done'] as const;

export function attachInput(db: WitDb, path: string): void {
  db.prepare('ATTACH DATABASE ? AS src').run(path);
}

export function detachInput(db: WitDb): void {
  db.prepare('DETACH DATABASE src').run();
}

/**
 * Queries and pages keep their most finished state, images the fetched row
 * (in one transaction), robots.txt answers the newest. Returns the rows changed.
 */
export function mergeInputRows(db: WitDb): { queries: number; pages: number; images: number } {
  const counts = db.transaction(() => ({ queries: mergeQueries(db), pages: mergePages(db), images: mergeImages(db) }))();
  mergeRobots(db);
  return counts;
}

function mergeQueries(db: WitDb): number {
  return db
    .prepare(
      `INSERT INTO main.queries (text, origin, state, cursor, error, updated_at)
       SELECT text, origin, state, cursor, error, updated_at FROM src.queries WHERE true
       ON CONFLICT (text) DO UPDATE SET state = excluded.state, cursor = excluded.cursor, error = excluded.error, updated_at = excluded.updated_at
       WHERE ${stateRank('excluded.state', queryOrder)} > ${stateRank('queries.state', queryOrder)}`,
    )
    .run().changes;
}

function mergePages(db: WitDb): number {
  return db
    .prepare(
      `INSERT INTO main.pages (url, host, depth, state, http_status, error, attempts, next_try_at, fetched_at)
       SELECT url, host, depth, state, http_status, error, attempts, next_try_at, fetched_at FROM src.pages WHERE true
       ON CONFLICT (url) DO UPDATE SET depth = min(pages.depth, excluded.depth), state = excluded.state, http_status = excluded.http_status,
         error = excluded.error, attempts = excluded.attempts, next_try_at = excluded.next_try_at, fetched_at = excluded.fetched_at
       WHERE ${stateRank('excluded.state', pageOrder)} > ${stateRank('pages.state', pageOrder)}`,
    )
    .run().changes;
}

function mergeRobots(db: WitDb): void {
  db.prepare(
    `INSERT INTO main.robots (host, http_status, body, fetched_at, expires_at)
     SELECT host, http_status, body, fetched_at, expires_at FROM src.robots WHERE true
     ON CONFLICT (host) DO UPDATE SET http_status = excluded.http_status, body = excluded.body,
       fetched_at = excluded.fetched_at, expires_at = excluded.expires_at
     WHERE excluded.fetched_at > robots.fetched_at`,
  ).run();
}

/** Image rows (whatever columns both dbs have): a fetched (`ok`) row wins over any other. */
function mergeImages(db: WitDb): number {
  const columnsOf = (schema: string) =>
    (db.prepare(`SELECT name FROM pragma_table_info('images', '${schema}')`).all() as Array<{ name: string }>).map((row) => row.name);
  const shared = columnsOf('src').filter((name) => name !== 'id' && columnsOf('main').includes(name));
  const list = shared.map((name) => `"${name}"`).join(', ');
  const updates = shared
    .filter((name) => name !== 'url')
    .map((name) => `"${name}" = excluded."${name}"`)
    .join(', ');
  return db
    .prepare(
      `INSERT INTO main.images (${list}) SELECT ${list} FROM src.images WHERE true
       ON CONFLICT (url) DO UPDATE SET ${updates} WHERE excluded.state = 'ok' AND images.state <> 'ok'`,
    )
    .run().changes;
}

/** The merged db's query ids by text, for the input's pairs to find their query. */
export function queryIdsByText(db: WitDb): Map<string, number> {
  const queryIds = new Map<string, number>();
  for (const row of db.prepare('SELECT id, text FROM main.queries').all() as Array<{ id: number; text: string }>)
    queryIds.set(row.text, row.id);
  return queryIds;
}

/** One pair of the input with its query's text. */
export interface InputPair {
  id: number;
  image_url: string;
  text: string;
  text_origin: TextOrigin;
  page_url: string | null;
  extra: string | null;
  created_at: string;
  /** Null for a pair kept with no query (`--keep-unmatched`): it stays so, outside the cap. */
  query: string | null;
}

/** Reads the input's pairs in the order they were stored: the next `limit` after id `afterId`. */
export function inputPairChunks(db: WitDb): (afterId: number, limit: number) => InputPair[] {
  const chunk = db.prepare(
    `SELECT p.id, p.image_url, p.text, p.text_origin, p.page_url, p.extra, p.created_at, q.text AS query
     FROM src.pairs p LEFT JOIN src.queries q ON q.id = p.query_id WHERE p.id > ? ORDER BY p.id LIMIT ?`,
  );
  return (afterId, limit) => chunk.all(afterId, limit) as InputPair[];
}
