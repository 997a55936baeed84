import type { Statement } from 'better-sqlite3';
import type { WitDb } from '../db/index.js';
import type { ImageText } from './extract.js';

/** A pair to store, with the page it came from. */
export interface PairCandidate extends ImageText {
  pageUrl: string | null;
  /** When it was found; now when absent (`wit db merge` keeps the original time). */
  createdAt?: string;
}

/** What happened to a batch of candidates. */
export interface StoreOutcome {
  stored: number;
  /** Already stored: the same (image URL, text), from this page or another. */
  duplicate: number;
  /** Every query it could count against already has `cap` pairs. */
  overCap: number;
  /** Queries that reached the cap with this batch. */
  queriesFilled: number;
}

/**
 * The per-query cap, the core rule of the crawl: a pair is stored only while the
 * query it is counted against has fewer than `cap` pairs. The check, the insert
 * and the increment of `queries.pair_count` run in one transaction, so the cap
 * holds with several writers and across restarts, and a pair is never stored twice
 * (`UNIQUE (image_url, text)`). A query that reaches the cap is marked done.
 */
export class CappedPairWriter {
  private readonly pairCount: Statement<[number], { pair_count: number }>;
  private readonly insert: Statement;
  private readonly increment: Statement;

  constructor(
    private readonly db: WitDb,
    readonly cap: number,
  ) {
    this.pairCount = db.prepare('SELECT pair_count FROM queries WHERE id = ?');
    this.insert = db.prepare(
      `INSERT INTO pairs (image_url, text, text_origin, page_url, query_id, created_at)
       VALUES (?, ?, ?, ?, ?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))
       ON CONFLICT (image_url, text) DO NOTHING`,
    );
    this.increment = db.prepare(
      `UPDATE queries SET pair_count = pair_count + 1,
         state = CASE WHEN pair_count + 1 >= ? THEN 'done' ELSE state END
       WHERE id = ?`,
    );
  }

  /** Stores pairs that all count against `queryId` (the search source). */
  storeForQuery(queryId: number, pairs: readonly PairCandidate[]): StoreOutcome {
    return this.store(pairs.map((pair) => ({ pair, queryIds: [queryId] })));
  }

  /**
   * Stores each pair against the query, among those its text matches, with the
   * fewest pairs that is still under the cap (the site source).
   */
  store(batch: ReadonlyArray<{ pair: PairCandidate; queryIds: readonly number[] }>): StoreOutcome {
    return this.db.transaction(() => {
      const outcome: StoreOutcome = { stored: 0, duplicate: 0, overCap: 0, queriesFilled: 0 };
      for (const { pair, queryIds } of batch) {
        const target = this.emptiestUnderCap(queryIds);
        if (!target) outcome.overCap++;
        else if (this.insert.run(pair.imageUrl, pair.text, pair.textOrigin, pair.pageUrl, target.id, pair.createdAt ?? null).changes === 0) {
          outcome.duplicate++;
        } else {
          this.increment.run(this.cap, target.id);
          outcome.stored++;
          if (target.pairCount + 1 >= this.cap) outcome.queriesFilled++;
        }
      }
      return outcome;
    })();
  }

  /** True when `queryId` has `cap` pairs already. */
  isFull(queryId: number): boolean {
    return (this.pairCount.get(queryId)?.pair_count ?? this.cap) >= this.cap;
  }

  private emptiestUnderCap(queryIds: readonly number[]): { id: number; pairCount: number } | undefined {
    let best: { id: number; pairCount: number } | undefined;
    for (const id of queryIds) {
      const pairCount = this.pairCount.get(id)?.pair_count ?? this.cap;
      if (pairCount < (best?.pairCount ?? this.cap)) best = { id, pairCount };
    }
    return best;
  }
}
