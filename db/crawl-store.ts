import type { WitDb } from './open.js';

// Typed access to the crawler's tables: robots (the robots.txt cache), pages
// (the site frontier and its outcomes) and the query crawl state. Pairs are
// written by the crawler's cap check (crawler/pair-cap.ts), which owns that rule.

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
