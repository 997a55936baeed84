import { formatDuration, ReasonCounter, type ProgressUpdate } from '../core/index.js';
import { maxCaptionChars } from './caption-bound.js';
import type { StoreOutcome } from './pair-cap.js';

/** What a crawl did, as `crawl()` returns it and the CLI prints it. */
export interface CrawlSummary {
  pages: { fetched: number; failed: number; skipped: number; deferred: number };
  pairs: { stored: number; duplicate: number; overCap: number; unmatched: number; captionTooLong: number };
  /** URL lists (list source): files, rows read, and files that failed partway (`source_files.error` says where and why). */
  lists: { files: number; rows: number; failed: number };
  /** Queries finished by this run, and left (search: this partition's; site: queries under cap). */
  queries: { finished: number; left: number };
  /** Whether the source went query by query (search); else `queries` counts those that reached the cap and those below it. */
  walksQueries: boolean;
  /** Pages (site source) that failed in a way worth retrying and wait for a later run, and when the first is due. */
  waiting: { count: number; firstDueAt: string | null };
  /** Failure reasons (pages failed, skipped or deferred), most frequent first. */
  topReasons: Array<[reason: string, count: number]>;
  /** Web archives (WARC source): finished, failed (with why) and left by this run, and their records. */
  archives?: {
    done: number;
    failed: Array<{ location: string; error: string }>;
    left: number;
    records: { read: number; skipped: number };
  };
  elapsedSecs: number;
  /** Stopped by the signal (Ctrl-C) before the work ran out. */
  stopped: boolean;
}

/** The running counts of a crawl: fed by the sources, read by the progress line and the summary. */
export class CrawlStats {
  readonly pages = { fetched: 0, failed: 0, skipped: 0, deferred: 0 };
  readonly pairs = { stored: 0, duplicate: 0, overCap: 0, unmatched: 0, captionTooLong: 0 };
  readonly queries = { finished: 0, left: 0 };
  /** List files of this partition, rows read from them, and files that failed partway (list source). */
  listFiles = 0;
  rows = 0;
  listsFailed = 0;
  /** Pages known and not fetched yet (site source). */
  pagesLeft = 0;
  /** Web archives (WARC source): `left` counts those this run has still to read. */
  readonly archives = { done: 0, left: 0, failed: [] as Array<{ location: string; error: string }> };
  /** Archive records read, and those without pairs to give (not HTML, not WAT, an error status). */
  readonly records = { read: 0, skipped: 0 };
  waiting: CrawlSummary['waiting'] = { count: 0, firstDueAt: null };
  private readonly reasons = new ReasonCounter();
  private readonly startedAt = Date.now();

  /** `walksQueries`: the source goes query by query (search), so the line shows queries done and left; a site crawl walks pages. */
  constructor(private readonly walksQueries: boolean) {}

  addPairs(outcome: StoreOutcome, unmatched: number, captionTooLong: number): void {
    this.pairs.captionTooLong += captionTooLong;
    this.pairs.stored += outcome.stored;
    this.pairs.duplicate += outcome.duplicate;
    this.pairs.overCap += outcome.overCap;
    this.pairs.unmatched += unmatched;
  }

  /** A list row that gives no pair (`no_url`, `bad_url`). */
  rowSkipped(reason: string): void {
    this.reasons.add(reason);
  }

  listFailed(): void {
    this.listsFailed++;
    this.reasons.add('list_failed');
  }

  pageFailed(kind: 'failed' | 'skipped' | 'deferred', reason: string): void {
    this.pages[kind]++;
    this.reasons.add(reason);
  }

  archiveFinished(outcome: { state: 'done' } | { state: 'failed'; location: string; error: string }): void {
    this.archives.left--;
    if (outcome.state === 'done') this.archives.done++;
    else {
      this.archives.failed.push({ location: outcome.location, error: outcome.error });
      this.reasons.add('archive_failed');
    }
  }

  /** An archive that could not be read on for a reason worth retrying (network): the next run resumes it. */
  archiveDeferred(): void {
    this.reasons.add('archive_deferred');
  }

  /** pages/s comes from `done`, pairs/s is a rate; pairs, queries done and left (or pages left), and the top error reasons are counts. */
  progress(): ProgressUpdate {
    const elapsedSecs = (Date.now() - this.startedAt) / 1000;
    const counts: Record<string, number> = { pairs: this.pairs.stored };
    if (this.walksQueries) {
      counts['queries done'] = this.queries.finished;
      counts['queries left'] = this.queries.left;
    }
    if (this.pagesLeft > 0) counts['pages left'] = this.pagesLeft;
    if (this.records.read > 0) counts.records = this.records.read;
    if (this.archives.left > 0) counts['archives left'] = this.archives.left;
    for (const [reason, count] of this.reasons.top(3)) counts[reason] = count;
    const done = this.pages.fetched + this.pages.failed + this.pages.skipped + this.pages.deferred + this.rows;
    return { done, rates: { pairs: elapsedSecs > 0 ? this.pairs.stored / elapsedSecs : 0 }, counts };
  }

  summary(stopped: boolean): CrawlSummary {
    return {
      pages: { ...this.pages },
      pairs: { ...this.pairs },
      lists: { files: this.listFiles, rows: this.rows, failed: this.listsFailed },
      queries: { ...this.queries },
      walksQueries: this.walksQueries,
      waiting: { ...this.waiting },
      topReasons: this.reasons.top(10),
      ...(this.records.read > 0 || this.archives.left + this.archives.done + this.archives.failed.length > 0
        ? {
            archives: {
              done: this.archives.done,
              failed: [...this.archives.failed],
              left: this.archives.left,
              records: { ...this.records },
            },
          }
        : {}),
      elapsedSecs: (Date.now() - this.startedAt) / 1000,
      stopped,
    };
  }
}

/** The end-of-run summary, a few lines for a person. */
export function formatCrawlSummary(summary: CrawlSummary): string {
  const { pages, pairs, queries, elapsedSecs } = summary;
  const perSec = (n: number) => (elapsedSecs > 0 ? (n / elapsedSecs).toFixed(1) : '0');
  const { lists } = summary;
  const lines = [
    `crawl ${summary.stopped ? 'stopped (run the same command to resume)' : 'finished'} after ${formatDuration(elapsedSecs)}`,
    lists.files > 0
      ? `  lists: ${lists.rows} rows read (${perSec(lists.rows)}/s) from ${lists.files} files, ${lists.failed} failed partway` +
        (lists.failed > 0 ? ` (wit db sql "SELECT location, error FROM source_files WHERE state = 'failed'")` : '')
      : `  pages: ${pages.fetched} fetched (${perSec(pages.fetched)}/s), ${pages.failed} failed, ${pages.skipped} skipped, ${pages.deferred} deferred to a later run`,
    `  pairs: ${pairs.stored} stored (${perSec(pairs.stored)}/s), ${pairs.duplicate} already stored, ${pairs.overCap} over the cap, ${pairs.unmatched} matching no query, ${pairs.captionTooLong} with a caption over ${maxCaptionChars} characters`,
  ];
  // A site, list or archive crawl does not walk the queries: only those it filled to the cap are news.
  if (summary.walksQueries) lines.push(`  queries: ${queries.finished} finished by this run, ${queries.left} left`);
  else if (queries.finished > 0) lines.push(`  queries: ${queries.finished} reached the cap in this run, ${queries.left} below it`);
  if (summary.archives) {
    const { done, failed, left, records } = summary.archives;
    lines.push(
      `  archives: ${done} done, ${failed.length} failed, ${left} left; records: ${records.read} read, ${records.skipped} without pairs to give`,
    );
    for (const { location, error } of failed) lines.push(`  failed archive ${location}: ${error}`);
  }
  if (summary.waiting.count > 0) {
    lines.push(`  ${summary.waiting.count} pages wait for a retry: run the same command again after ${summary.waiting.firstDueAt}`);
  }
  if (summary.topReasons.length > 0) {
    lines.push(`  top reasons: ${summary.topReasons.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  }
  return lines.join('\n');
}
