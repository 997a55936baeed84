import { writeMeta } from './meta.js';
import type { WitDb } from './open.js';

/** One pair as `wit shards build` sees it: the pair, its query, and its image when fetched. */
export interface CurationCandidate {
  pairId: number;
  text: string;
  textOrigin: string;
  imageUrl: string;
  pageUrl: string | null;
  /** Null for a pair kept with no query (`wit crawl --pairs --keep-unmatched`). */
  queryId: number | null;
  query: string | null;
  /** `images.state`; null when the image URL has no `images` row. */
  imageState: string | null;
  imageHost: string | null;
  sha256: string | null;
  /** 16 hex chars; null when not computed. */
  phash: string | null;
  /** Size of the original image, in pixels. */
  width: number | null;
  height: number | null;
  /** Stored JPEG, relative to the images folder (`ab/cd/<sha256>.jpg`). */
  path: string | null;
  /** `pairs.extra`: a JSON object of the list columns saved with the pair (`--save-cols`); null for most pairs. */
  extra: string | null;
}

/** Every pair joined with its query (when it has one) and image, in pair-id order; `onProgress` gets the count every 10,000 rows. */
export function readCurationCandidates(db: WitDb, onProgress?: (rows: number) => void): CurationCandidate[] {
  const statement = db.prepare(
    `SELECT p.id AS pairId, p.text, p.text_origin AS textOrigin, p.image_url AS imageUrl, p.page_url AS pageUrl,
              p.query_id AS queryId, q.text AS query, i.state AS imageState, i.host AS imageHost,
              i.sha256, i.phash, i.width, i.height, i.path, p.extra
         FROM pairs p
         LEFT JOIN queries q ON q.id = p.query_id
         LEFT JOIN images i ON i.url = p.image_url
        ORDER BY p.id`,
  );
  const rows: CurationCandidate[] = [];
  for (const row of statement.iterate() as IterableIterator<CurationCandidate>) {
    rows.push(row);
    if (rows.length % 10_000 === 0) onProgress?.(rows.length);
  }
  return rows;
}

/** One `curation` row: what `wit shards build` decided for a pair and why. */
export interface CurationRecord {
  pairId: number;
  decision: 'train' | 'val' | 'drop';
  /** Why a pair was dropped (`caption_too_short`, `near_duplicate`, ...); null for kept pairs. */
  reason: string | null;
  /** Shard file name, for kept pairs. */
  shard: string | null;
  /** WebDataset key inside the shard, for kept pairs. */
  key: string | null;
}

/**
 * Replaces the whole `curation` table with `records` and stores `config` under
 * `meta.shards_build`, in one transaction: readers see the old decisions or
 * the new ones, never a mix.
 */
export function replaceCuration(db: WitDb, records: Iterable<CurationRecord>, config: unknown): number {
  const insert = db.prepare('INSERT INTO curation (pair_id, decision, reason, shard, key) VALUES (?, ?, ?, ?, ?)');
  return db.transaction(() => {
    db.prepare('DELETE FROM curation').run();
    let count = 0;
    for (const r of records) {
      insert.run(r.pairId, r.decision, r.reason, r.shard, r.key);
      count += 1;
    }
    writeMeta(db, 'shards_build', config);
    return count;
  })();
}

/** Pairs per (decision, reason), most frequent first. */
export function curationCounts(db: WitDb): Array<{ decision: string; reason: string | null; pairs: number }> {
  return db
    .prepare('SELECT decision, reason, count(*) AS pairs FROM curation GROUP BY decision, reason ORDER BY pairs DESC, decision, reason')
    .all() as Array<{ decision: string; reason: string | null; pairs: number }>;
}
