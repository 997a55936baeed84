import type { Database, Statement } from 'better-sqlite3';
import type { WitDb } from './open.js';

// Typed access to the `images` table: one row per distinct image URL, written
// by `wit fetch` (fetch/) and read by curate.

export type ImageState = 'pending' | 'ok' | 'failed';

export interface ImageRow {
  id: number;
  url: string;
  host: string;
  state: ImageState;
  http_status: number | null;
  /** The failure reason (`http_404`, `not_image`, ...) when state is `failed`. */
  error: string | null;
  attempts: number;
  next_try_at: string | null;
  sha256: string | null;
  phash: string | null;
  width: number | null;
  height: number | null;
  format: string | null;
  /** Size of the original download. */
  bytes: number | null;
  /** Relative to the image store root: `ab/cd/<sha256>.jpg`. */
  path: string | null;
  fetched_at: string | null;
}

/** What a stored image adds to its row; rows of URLs with the same bytes share it. */
export interface StoredImage {
  sha256: string;
  phash: string;
  width: number;
  height: number;
  format: string;
  bytes: number;
  path: string;
}

const statements = new WeakMap<WitDb, Map<string, Statement>>();

/** `db.prepare(sql)`, prepared once per connection: the per-image calls run thousands of times a minute. */
function cached(db: WitDb, sql: string): Statement {
  let byDb = statements.get(db);
  if (!byDb) statements.set(db, (byDb = new Map()));
  let statement = byDb.get(sql);
  if (!statement) byDb.set(sql, (statement = db.prepare(sql)));
  return statement;
}

/**
 * Adds a pending `images` row for every distinct `pairs.image_url` that has
 * none yet; returns how many were added. A URL that does not parse gets host ''.
 */
export function enqueuePairImages(db: WitDb): number {
  registerHostKey(db);
  return db
    .prepare(
      `INSERT OR IGNORE INTO images (url, host)
       SELECT image_url, wit_url_host(image_url) FROM (SELECT DISTINCT image_url FROM pairs) p
       WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.url = p.image_url)`,
    )
    .run().changes;
}

/**
 * The host key of `pages.host` and `images.host`: `URL.host`, i.e. the host
 * name with the port only when it is not the scheme's default, so one host
 * reads the same in both tables. '' for a URL that does not parse.
 */
export function hostKey(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** Makes `hostKey` callable in SQL as `wit_url_host(url)`. */
export function registerHostKey(db: Pick<Database, 'function'>): void {
  db.function('wit_url_host', { deterministic: true }, (url: unknown) => hostKey(String(url)));
}

/** Puts failed images back to pending (all, or those failed with `reason`); returns how many. */
export function resetFailedImages(db: WitDb, reason?: string): number {
  const where = reason === undefined ? '' : ' AND error = ?';
  const params = reason === undefined ? [] : [reason];
  return db.prepare(`UPDATE images SET state = 'pending', next_try_at = NULL WHERE state = 'failed'${where}`).run(...params).changes;
}

/**
 * Up to `limit` pending images with id above `afterId`, in id order. The
 * unary `+` keeps SQLite walking the primary key from `afterId` (linear over
 * a whole run) instead of sorting every pending row through `images_state`
 * for each page (quadratic).
 */
export function pendingImages(db: WitDb, afterId: number, limit: number): Array<Pick<ImageRow, 'id' | 'url'>> {
  return cached(db, "SELECT id, url FROM images WHERE +state = 'pending' AND id > ? ORDER BY id LIMIT ?").all(afterId, limit) as Array<
    Pick<ImageRow, 'id' | 'url'>
  >;
}

export function countImages(db: WitDb, state: ImageState): number {
  return db.prepare('SELECT count(*) FROM images WHERE state = ?').pluck().get(state) as number;
}

/** `ok` rows that lack a path or a hash: a fetch that stopped between two writes of a row. */
export function countOkImagesWithoutPath(db: WitDb): number {
  return db.prepare("SELECT count(*) FROM images WHERE state = 'ok' AND (path IS NULL OR sha256 IS NULL)").pluck().get() as number;
}

/** An image already stored with these bytes, if any: its fields can be reused without decoding again. */
export function findStoredImage(db: WitDb, sha256: string): StoredImage | undefined {
  return cached(
    db,
    `SELECT sha256, phash, width, height, format, bytes, path FROM images
     WHERE sha256 = ? AND state = 'ok' AND path IS NOT NULL LIMIT 1`,
  ).get(sha256) as StoredImage | undefined;
}

export function markImageOk(db: WitDb, id: number, httpStatus: number, image: StoredImage, now = new Date()): void {
  cached(
    db,
    `UPDATE images SET state = 'ok', error = NULL, next_try_at = NULL, attempts = attempts + 1, fetched_at = @fetched_at,
       http_status = @http_status, sha256 = @sha256, phash = @phash, width = @width, height = @height,
       format = @format, bytes = @bytes, path = @path
     WHERE id = @id`,
  ).run({ ...image, http_status: httpStatus, id, fetched_at: now.toISOString() });
}

export interface ImageFailureFields {
  reason: string;
  http_status?: number | undefined;
  /** When a retryable failure may be tried again (e.g. from Retry-After). */
  next_try_at?: Date | undefined;
}

export function markImageFailed(db: WitDb, id: number, failure: ImageFailureFields, now = new Date()): void {
  cached(
    db,
    `UPDATE images SET state = 'failed', error = ?, http_status = ?, next_try_at = ?, attempts = attempts + 1, fetched_at = ?,
       sha256 = NULL, phash = NULL, width = NULL, height = NULL, format = NULL, bytes = NULL, path = NULL
     WHERE id = ?`,
  ).run(failure.reason, failure.http_status ?? null, failure.next_try_at?.toISOString() ?? null, now.toISOString(), id);
}

/** What one fetched image's row becomes: `ok` with the stored image, or `failed` with a reason. */
export type ImageOutcome = { id: number; httpStatus: number; image: StoredImage } | { id: number; failure: ImageFailureFields };

/** Writes `outcomes` to their rows in one transaction: all of them, or none if the process dies first. */
export function recordImageOutcomes(db: WitDb, outcomes: readonly ImageOutcome[], now = new Date()): void {
  db.transaction(() => {
    for (const outcome of outcomes) {
      if ('image' in outcome) markImageOk(db, outcome.id, outcome.httpStatus, outcome.image, now);
      else markImageFailed(db, outcome.id, outcome.failure, now);
    }
  })();
}

/** Stored paths and how many `ok` rows use each (rows sharing bytes share a path). */
export function storedImagePaths(db: WitDb): Map<string, number> {
  const rows = db.prepare("SELECT path, count(*) FROM images WHERE state = 'ok' AND path IS NOT NULL GROUP BY path").raw().all() as Array<
    [string, number]
  >;
  return new Map(rows);
}

/** `ok` rows whose file is gone go back to pending, so the next `wit fetch` downloads them again. */
export function resetImagesWithPath(db: WitDb, paths: readonly string[]): number {
  const reset = db.prepare(
    `UPDATE images SET state = 'pending', sha256 = NULL, phash = NULL, width = NULL, height = NULL,
       format = NULL, bytes = NULL, path = NULL, next_try_at = NULL
     WHERE state = 'ok' AND path = ?`,
  );
  return db.transaction(() => paths.reduce((sum, path) => sum + reset.run(path).changes, 0))();
}

/** `ok` rows that lost their path (should not happen; a hand edit) go back to pending. */
export function resetOkImagesWithoutPath(db: WitDb): number {
  return db.prepare("UPDATE images SET state = 'pending', next_try_at = NULL WHERE state = 'ok' AND (path IS NULL OR sha256 IS NULL)").run()
    .changes;
}
