import { WitError } from '../core/index.js';
import type { Row } from '../core/index.js';
import type { WitDb } from './open.js';

export type ShowKind = 'query' | 'pair' | 'image';

/**
 * One row and what joins to it, by section name: a record (an object), a
 * record not there yet (null: an image not fetched, a pair not curated), or
 * a list of rows.
 */
export type ShownRow = Record<string, Row | Row[] | null>;

/**
 * Everything known about one row, joined: a query with its pair counts and a
 * sample of pairs; a pair with its query, page (left out when the pair's page
 * is not a crawled page, as for a search result), image and curation decision;
 * an image with the pairs that use it. `key` is an id, or the text/URL.
 */
export function showRow(db: WitDb, kind: ShowKind, key: string): ShownRow {
  switch (kind) {
    case 'query':
      return showQuery(db, key);
    case 'pair':
      return showPair(db, key);
    case 'image':
      return showImage(db, key);
  }
}

function showQuery(db: WitDb, key: string): ShownRow {
  const query = one(db, 'SELECT * FROM queries WHERE id = ? OR text = ? ORDER BY text = ? DESC LIMIT 1', [asId(key), key, key]);
  if (!query) throw notFound('query', key);
  const decisions = db
    .prepare(
      `SELECT coalesce(c.decision, 'not curated') AS decision, c.reason, count(*) AS pairs
       FROM pairs p LEFT JOIN curation c ON c.pair_id = p.id
       WHERE p.query_id = ? GROUP BY 1, 2 ORDER BY pairs DESC`,
    )
    .all(query.id) as Row[];
  const pairs = db
    .prepare(
      `SELECT p.id, p.text, p.image_url, i.state AS image_state
       FROM pairs p LEFT JOIN images i ON i.url = p.image_url
       WHERE p.query_id = ? ORDER BY p.id LIMIT 10`,
    )
    .all(query.id) as Row[];
  return { query, 'pairs by curation decision': decisions, 'first 10 pairs': pairs };
}

function showPair(db: WitDb, key: string): ShownRow {
  const pair = one(db, 'SELECT * FROM pairs WHERE id = ?', [asId(key)]);
  if (!pair) throw notFound('pair', key);
  const page = pair.page_url === null ? undefined : one(db, 'SELECT * FROM pages WHERE url = ?', [pair.page_url]);
  return {
    pair,
    query: pair.query_id === null ? null : (one(db, 'SELECT * FROM queries WHERE id = ?', [pair.query_id]) ?? null),
    ...(page ? { page } : {}),
    image: one(db, 'SELECT * FROM images WHERE url = ?', [pair.image_url]) ?? null,
    curation: one(db, 'SELECT decision, reason, shard, key FROM curation WHERE pair_id = ?', [pair.id]) ?? null,
  };
}

function showImage(db: WitDb, key: string): ShownRow {
  const image = one(db, 'SELECT * FROM images WHERE id = ? OR url = ? ORDER BY url = ? DESC LIMIT 1', [asId(key), key, key]);
  if (!image) throw notFound('image', key);
  const pairs = db
    .prepare(
      `SELECT p.id, p.text, q.text AS query, c.decision, c.reason
       FROM pairs p LEFT JOIN queries q ON q.id = p.query_id LEFT JOIN curation c ON c.pair_id = p.id
       WHERE p.image_url = ? ORDER BY p.id LIMIT 50`,
    )
    .all(image.url) as Row[];
  const sameBytes = image.sha256
    ? (db.prepare('SELECT id, url FROM images WHERE sha256 = ? AND id <> ? ORDER BY id LIMIT 20').all(image.sha256, image.id) as Row[])
    : [];
  return { image, 'pairs using it': pairs, 'other URLs with the same bytes': sameBytes };
}

function one(db: WitDb, sql: string, params: unknown[]): Row | undefined {
  return db.prepare(sql).get(...params) as Row | undefined;
}

function asId(key: string): number | null {
  return /^\d+$/.test(key) ? Number(key) : null;
}

function notFound(kind: ShowKind, key: string): WitError {
  const by = kind === 'pair' ? 'id' : kind === 'query' ? 'id or text' : 'id or URL';
  return new WitError(`No ${kind} with ${by} ${JSON.stringify(key)} in this database.`);
}
