import type { WitDb } from './open.js';

/** What each stage keeps in `meta`: how its last run was set up (options resolved), as JSON, for a person reading the db later. */
export type MetaKey = 'queries.build' | 'crawl.config' | 'fetch.config' | 'shards_build';

/** Stores `value` as JSON under `key`, replacing what was there. */
export function writeMeta(db: WitDb, key: MetaKey, value: unknown): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    JSON.stringify(value),
  );
}
