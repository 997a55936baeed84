import type { WitDb } from './open.js';

// Typed access to the crawler's tables: robots (the robots.txt cache), pages
// (the site frontier and its outcomes) and the query crawl state. Pairs are
// written by the crawler's cap check (crawler/pair-cap.ts), which owns that rule, with the statements of pair-rows.ts.

/** One cached robots.txt. `host` is the origin (`https://example.com:8443`): robots.txt is per origin. */
export interface RobotsRow {
  host: string;
  /** The status robots.txt answered with (after redirects). */
  http_status: number;
  /** The body for a 2xx answer; null otherwise (4xx means "everything allowed"). */
  body: string | null;
  fetched_at: string;
  expires_at: string;
}

/** The cached robots.txt of `origin`, when there is one that has not expired. */
export function readRobots(db: WitDb, origin: string, now = new Date()): RobotsRow | undefined {
  return db.prepare('SELECT * FROM robots WHERE host = ? AND expires_at > ?').get(origin, now.toISOString()) as RobotsRow | undefined;
}

export function writeRobots(db: WitDb, row: RobotsRow): void {
  db.prepare(
    `INSERT INTO robots (host, http_status, body, fetched_at, expires_at) VALUES (@host, @http_status, @body, @fetched_at, @expires_at)
     ON CONFLICT (host) DO UPDATE SET http_status = excluded.http_status, body = excluded.body,
       fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
  ).run(row);
}

/** This machine's share of a crawl split N ways: rows whose key hashes to `index` (0-based) modulo `count`. */
export interface Partition {
  index: number;
  count: number;
}

/** FNV-1a (32 bit) of the UTF-8 bytes: the same on every machine and every run. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

const withPartitionFunction = new WeakSet<WitDb>();

/** SQL that keeps the rows of `partition` by `column`, and the SQL function it needs registered on `db`. */
function partitionSql(db: WitDb, column: string, partition: Partition | undefined): string {
  if (!partition) return '1';
  if (!withPartitionFunction.has(db)) {
    db.function('wit_partition', { deterministic: true }, (key: unknown, count: unknown) => stableHash(String(key)) % Number(count));
    withPartitionFunction.add(db);
  }
  return `wit_partition(${column}, ${partition.count}) = ${partition.index}`;
}

// ---- pages: the site frontier ----

export interface NewPage {
  url: string;
  /** `URL.host`: the host and, when not the default, the port. */
  host: string;
  depth: number;
}

export interface FrontierPage {
  id: number;
  url: string;
  host: string;
  depth: number;
  attempts: number;
}

/** Adds pages not seen yet (by URL); returns how many were new. */
export function addPages(db: WitDb, pages: Iterable<NewPage>): number {
  const insert = db.prepare('INSERT INTO pages (url, host, depth) VALUES (@url, @host, @depth) ON CONFLICT (url) DO NOTHING');
  let added = 0;
  for (const page of pages) added += insert.run(page).changes;
  return added;
}

/**
 * Pending pages due now, shallowest first, of this partition's hosts, leaving
 * out `skipIds` (in flight) and `busyHosts` (enough of theirs in flight already).
 */
export function duePages(
  db: WitDb,
  options: { limit: number; partition?: Partition; skipIds: Iterable<number>; busyHosts: Iterable<string>; now?: Date },
): FrontierPage[] {
  return db
    .prepare(
      `SELECT id, url, host, depth, attempts FROM pages
       WHERE state = 'pending' AND (next_try_at IS NULL OR next_try_at <= ?)
         AND ${partitionSql(db, 'host', options.partition)}
         AND id NOT IN (SELECT value FROM json_each(?))
         AND host NOT IN (SELECT value FROM json_each(?))
       ORDER BY depth, id LIMIT ?`,
    )
    .all(
      (options.now ?? new Date()).toISOString(),
      JSON.stringify([...options.skipIds]),
      JSON.stringify([...options.busyHosts]),
      options.limit,
    ) as FrontierPage[];
}

/** Final states of a page; `pending` with `nextTryAt` is a deferred retry. */
export type PageOutcome =
  | { state: 'done'; httpStatus: number; error: string | null }
  | { state: 'failed' | 'skipped'; httpStatus: number | null; error: string }
  | { state: 'pending'; httpStatus: number | null; error: string; nextTryAt: Date };

/** Records what fetching a page gave, counting the attempt. */
export function recordPage(db: WitDb, id: number, outcome: PageOutcome): void {
  db.prepare(
    `UPDATE pages SET state = ?, http_status = ?, error = ?, attempts = attempts + 1, next_try_at = ?,
       fetched_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     WHERE id = ?`,
  ).run(outcome.state, outcome.httpStatus, outcome.error, outcome.state === 'pending' ? outcome.nextTryAt.toISOString() : null, id);
}

/** Pages of this partition due to be fetched now. */
export function countDuePages(db: WitDb, partition?: Partition, now = new Date()): number {
  const row = db
    .prepare(
      `SELECT count(*) AS n FROM pages
       WHERE state = 'pending' AND (next_try_at IS NULL OR next_try_at <= ?) AND ${partitionSql(db, 'host', partition)}`,
    )
    .get(now.toISOString()) as { n: number };
  return row.n;
}

/** Pending pages of this partition that wait for a later retry, and when the first is due. */
export function waitingPages(db: WitDb, partition?: Partition, now = new Date()): { count: number; firstDueAt: string | null } {
  return db
    .prepare(
      `SELECT count(*) AS count, min(next_try_at) AS firstDueAt FROM pages
       WHERE state = 'pending' AND next_try_at > ? AND ${partitionSql(db, 'host', partition)}`,
    )
    .get(now.toISOString()) as { count: number; firstDueAt: string | null };
}

// ---- queries: the search source's crawl state ----

export interface CrawlQuery {
  id: number;
  text: string;
  pair_count: number;
  /** The next result page to fetch, as stored by the search source; null before the first. */
  cursor: string | null;
}

/** Queries of this partition not finished yet (pending, or running when a crawl stopped), after `afterId`, in id order. */
export function unfinishedQueries(db: WitDb, options: { afterId: number; limit: number; partition?: Partition }): CrawlQuery[] {
  return db
    .prepare(
      `SELECT id, text, pair_count, cursor FROM queries
       WHERE state IN ('pending', 'running') AND id > ? AND ${partitionSql(db, 'text', options.partition)}
       ORDER BY id LIMIT ?`,
    )
    .all(options.afterId, options.limit) as CrawlQuery[];
}

/** Sets a query's crawl state; `cursor` and `error` are written as given (null clears them). */
export function setQueryState(
  db: WitDb,
  id: number,
  update: { state: 'pending' | 'running' | 'done' | 'failed'; cursor?: string | null; error?: string | null },
): void {
  db.prepare(
    `UPDATE queries SET state = @state,
       cursor = CASE WHEN @setCursor THEN @cursor ELSE cursor END,
       error = CASE WHEN @setError THEN @error ELSE error END,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     WHERE id = @id`,
  ).run({
    id,
    state: update.state,
    setCursor: update.cursor !== undefined ? 1 : 0,
    cursor: update.cursor ?? null,
    setError: update.error !== undefined ? 1 : 0,
    error: update.error ?? null,
  });
}

/** Queries of this partition done (or failed) and left. */
export function countQueryProgress(db: WitDb, partition?: Partition): { done: number; left: number } {
  return db
    .prepare(
      `SELECT count(*) FILTER (WHERE state IN ('done', 'failed')) AS done,
              count(*) FILTER (WHERE state IN ('pending', 'running')) AS left
       FROM queries WHERE ${partitionSql(db, 'text', partition)}`,
    )
    .get() as { done: number; left: number };
}

/**
 * Puts failed pages and failed search queries back to `pending` (only those
 * failed with `reason`, when given), as `wit fetch --retry-failed` does for
 * images: a query resumes at the result page it failed on. Returns how many of each.
 */
export function resetFailedCrawlWork(db: WitDb, reason?: string): { pages: number; queries: number } {
  const where = reason === undefined ? '' : ' AND error = ?';
  const params = reason === undefined ? [] : [reason];
  return db.transaction(() => ({
    pages: db.prepare(`UPDATE pages SET state = 'pending', next_try_at = NULL, attempts = 0 WHERE state = 'failed'${where}`).run(...params)
      .changes,
    queries: db.prepare(`UPDATE queries SET state = 'pending' WHERE state = 'failed'${where}`).run(...params).changes,
  }))();
}
