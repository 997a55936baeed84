import type { Statement, Transaction } from 'better-sqlite3';
import { pairCapStatements, type WitDb } from '../db/index.js';
import type { ImageText } from './extract.js';

/** A pair to store, with the page it came from. */
export interface PairCandidate extends ImageText {
  pageUrl: string | null;
  /** More columns of a URL list (`--save-cols`), a JSON object; null when none. */
  extra?: string | null;
  /** When it was found; now when absent (`wit db merge` keeps the original time). */
  createdAt?: string;
}

/** A pair and the queries it may count against. */
export interface PairToStore {
  pair: PairCandidate;
  /**
   * It counts against the one of these with the fewest pairs that is under the
   * cap. Empty: it is stored with no query (`query_id` NULL), outside every cap
   * (`wit crawl --pairs --keep-unmatched`).
   */
  queryIds: readonly number[];
  /** Queries tried the same way when every one of `queryIds` is full; called only then. */
  fallbackQueryIds?: () => readonly number[];
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
 * query it is counted against has fewer than `cap` pairs. A batch runs in one
 * write transaction (taken up front, so no other writer slips in between): it
 * reads the counts of the queries it touches, inserts the pairs, and writes the
 * new counts back. The cap therefore holds with several writers and across
 * restarts, and a pair is never stored twice (`UNIQUE (image_url, text)`).
 * A query that reaches the cap is marked done.
 */
export class CappedPairWriter {
  private readonly pairCount: Statement<[number], { pair_count: number }>;
  private readonly pairCounts: Statement<[string], { id: number; pair_count: number }>;
  private readonly insert: Statement;
  private readonly setCounts: Statement<[string]>;
  private readonly markDone: Statement<[number]>;
  private readonly storeBatch: Transaction<(batch: ReadonlyArray<PairToStore>) => StoreOutcome>;

  constructor(
    db: WitDb,
    readonly cap: number,
  ) {
    ({
      pairCount: this.pairCount,
      pairCounts: this.pairCounts,
      insert: this.insert,
      setCounts: this.setCounts,
      markDone: this.markDone,
    } = pairCapStatements(db));
    this.storeBatch = db.transaction((batch) => this.storeInTransaction(batch));
  }

  /** Stores pairs that all count against `queryId` (the search source). */
  storeForQuery(queryId: number, pairs: readonly PairCandidate[]): StoreOutcome {
    return this.store(pairs.map((pair) => ({ pair, queryIds: [queryId] })));
  }

  /**
   * Stores each pair against the query, among those its text matches, with the
   * fewest pairs that is still under the cap (the site source).
   */
  store(batch: ReadonlyArray<PairToStore>): StoreOutcome {
    return this.storeBatch.immediate(batch);
  }

  /** True when `queryId` has `cap` pairs already. */
  isFull(queryId: number): boolean {
    return (this.pairCount.get(queryId)?.pair_count ?? this.cap) >= this.cap;
  }

  private storeInTransaction(batch: ReadonlyArray<PairToStore>): StoreOutcome {
    const outcome: StoreOutcome = { stored: 0, duplicate: 0, overCap: 0, queriesFilled: 0 };
    const counts = this.readCounts(batch); // query id -> its pair_count, read once in this transaction
    const countOf = (id: number) => counts.get(id) ?? counts.set(id, this.pairCount.get(id)?.pair_count ?? this.cap).get(id)!;
    const now = new Date().toISOString();
    const touched = new Set<number>();
    const emptiest = (ids: readonly number[]) => {
      let target: number | undefined;
      for (const id of ids) if (countOf(id) < (target === undefined ? this.cap : countOf(target))) target = id;
      return target;
    };
    const insert = (pair: PairCandidate, queryId: number | null) =>
      this.insert.run(pair.imageUrl, pair.text, pair.textOrigin, pair.pageUrl, queryId, pair.extra ?? null, pair.createdAt ?? now).changes >
      0;
    for (const { pair, queryIds, fallbackQueryIds } of batch) {
      if (queryIds.length === 0) {
        if (insert(pair, null)) outcome.stored++;
        else outcome.duplicate++;
        continue;
      }
      const target = emptiest(queryIds) ?? (fallbackQueryIds && emptiest(fallbackQueryIds()));
      if (target === undefined) outcome.overCap++;
      else if (!insert(pair, target)) {
        outcome.duplicate++;
      } else {
        counts.set(target, countOf(target) + 1);
        touched.add(target);
        outcome.stored++;
        if (countOf(target) === this.cap) outcome.queriesFilled++;
      }
    }
    this.setCounts.run(JSON.stringify([...touched].map((id) => [id, countOf(id)])));
    for (const id of touched) if (countOf(id) >= this.cap) this.markDone.run(id);
    return outcome;
  }

  /** The pair counts of the queries the batch's pairs may count against; a query not in the db counts as full. */
  private readCounts(batch: ReadonlyArray<PairToStore>): Map<number, number> {
    const ids = new Set<number>();
    for (const { queryIds } of batch) for (const id of queryIds) ids.add(id);
    const counts = new Map<number, number>();
    for (const id of ids) counts.set(id, this.cap);
    for (const row of this.pairCounts.all(JSON.stringify([...ids]))) counts.set(row.id, row.pair_count);
    return counts;
  }
}
