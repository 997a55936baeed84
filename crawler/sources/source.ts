import type { Partition, WitDb } from '../../db/index.js';
import type { CrawlStats } from '../crawl-stats.js';
import type { PageLoader } from '../page-loader.js';
import type { CappedPairWriter } from '../pair-cap.js';
import type { PoliteFetcher } from '../polite-fetcher.js';

/** What every source gets from `crawl()`. */
export interface CrawlContext {
  db: WitDb;
  fetcher: PoliteFetcher;
  loader: PageLoader;
  writer: CappedPairWriter;
  stats: CrawlStats;
  /** Called after every page. */
  reportProgress: () => void;
  partition?: Partition;
  /** Aborted on Ctrl-C: take no new work, let in-flight fetches fail with `aborted`. */
  signal: AbortSignal;
  /** Pages in flight at most (the fetcher queues them politely per host). */
  concurrency: number;
  /** Requests to one host at a time, as the fetcher allows. */
  perHost: number;
  maxPageBytes: number;
}

/** Where candidate pairs come from. A source keeps all its state in the db, so that a run can resume. */
export interface Source {
  run(context: CrawlContext): Promise<void>;
}
