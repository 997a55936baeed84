import type { WitDb } from './open.js';

/** A pair as the report's examples show it: its text, image URL and stored path. */
export interface ExampleRow {
  text: string;
  image_url: string;
  path: string | null;
}

/** Up to `perReason` dropped pairs for each curation reason, the most common reason first. */
export function droppedPairRows(db: WitDb, perReason: number): Array<{ reason: string; rows: ExampleRow[] }> {
  const rows = db
    .prepare(
      `SELECT reason, text, image_url, path FROM (
         SELECT c.reason, p.text, p.image_url, i.path, row_number() OVER (PARTITION BY c.reason ORDER BY p.id) AS n,
                count(*) OVER (PARTITION BY c.reason) AS pairs
         FROM curation c JOIN pairs p ON p.id = c.pair_id LEFT JOIN images i ON i.url = p.image_url
         WHERE c.decision = 'drop'
       ) WHERE n <= ? ORDER BY pairs DESC, reason, n`,
    )
    .all(perReason) as Array<ExampleRow & { reason: string | null }>;
  const byReason = new Map<string, ExampleRow[]>();
  for (const { reason, ...row } of rows) {
    const key = reason ?? 'unknown';
    byReason.set(key, [...(byReason.get(key) ?? []), row]);
  }
  return [...byReason].map(([reason, list]) => ({ reason, rows: list }));
}

/** Stored images with a pHash (the first `limit` by id), each with the text of its first pair. */
export function hashedImageRows(db: WitDb, limit: number): Array<ExampleRow & { phash: string }> {
  return db
    .prepare(
      `SELECT i.phash, i.url AS image_url, i.path, (SELECT text FROM pairs WHERE image_url = i.url ORDER BY id LIMIT 1) AS text
       FROM images i WHERE i.state = 'ok' AND i.phash IS NOT NULL ORDER BY i.id LIMIT ?`,
    )
    .all(limit) as Array<ExampleRow & { phash: string }>;
}
