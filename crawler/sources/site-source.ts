import { resolveOptions, type GivenOptions } from '../../core/index.js';
import {
  addPages,
  countDuePages,
  waitingPages,
  countQueryProgress,
  duePages,
  recordPage,
  type FrontierPage,
  type PageOutcome,
} from '../../db/index.js';
import { loadMatcher, type QueryMatcher } from '../../queries/index.js';
import { boundCaptions } from '../caption-bound.js';
import { siteSourceOptions } from '../options.js';
import { FetchFailure } from '../fetch-failure.js';
import type { LoadedPage } from '../page-loader.js';
import type { CrawlContext, Source } from './source.js';

/** The declared options (options.ts, the crawl's own). */
export interface SiteSourceOptions extends GivenOptions<typeof siteSourceOptions.entries> {
  kind: 'site';
  seeds: readonly string[];
}

/** A page that failed with a retryable reason is tried in this many runs' worth of attempts, then marked failed. */
const maxPageAttempts = 3;
const retryLaterBaseSecs = 60;

/**
 * Crawls sites breadth-first from seed URLs, following links to allowed hosts
 * up to a depth. Each image text is matched against every query; a pair is
 * counted against the matching query with the fewest pairs still under the cap,
 * and text that matches no query is not stored. The frontier lives in `pages`:
 * a page is marked done in the same transaction as its pairs and new links.
 */
export class SiteSource implements Source {
  private readonly allowed: (hostname: string) => boolean;
  private readonly maxDepth: number;

  constructor(private readonly options: SiteSourceOptions) {
    this.allowed = hostPatterns(options.allowHosts ?? options.seeds.map((seed) => new URL(seed).hostname));
    this.maxDepth = resolveOptions(siteSourceOptions, options).maxDepth;
  }

  async run(context: CrawlContext): Promise<void> {
    const { db, partition, stats } = context;
    addPages(
      db,
      this.options.seeds.map((url) => ({ url: new URL(url).href, host: new URL(url).host, depth: 0 })),
    );
    const matcher = loadMatcher(db);
    stats.queries.left = countQueryProgress(db).left;
    stats.pagesLeft = countDuePages(db, partition);
    const inFlight = new Map<number, Promise<void>>();
    try {
      await this.crawlFrontier(context, matcher, inFlight);
    } finally {
      await Promise.allSettled(inFlight.values());
    }
    stats.waiting = waitingPages(db, partition);
  }

  /** Keeps up to `concurrency` pages in flight, at most twice `perHost` per host, until none is due. */
  private async crawlFrontier(context: CrawlContext, matcher: QueryMatcher, inFlight: Map<number, Promise<void>>): Promise<void> {
    const { db, partition, signal } = context;
    const perHostInFlight = new Map<string, number>();
    const hostLimit = context.perHost * 2;
    while (!signal.aborted) {
      if (inFlight.size < context.concurrency) {
        const busyHosts = [...perHostInFlight].filter(([, n]) => n >= hostLimit).map(([host]) => host);
        const batch = duePages(db, {
          limit: context.concurrency - inFlight.size,
          skipIds: inFlight.keys(),
          busyHosts,
          ...(partition ? { partition } : {}),
        });
        for (const page of batch) {
          const onHost = perHostInFlight.get(page.host) ?? 0;
          if (onHost >= hostLimit) continue;
          perHostInFlight.set(page.host, onHost + 1);
          const task = this.crawlPage(context, matcher, page).finally(() => {
            inFlight.delete(page.id);
            const left = perHostInFlight.get(page.host)! - 1;
            if (left === 0) perHostInFlight.delete(page.host);
            else perHostInFlight.set(page.host, left);
          });
          inFlight.set(page.id, task);
        }
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight.values());
    }
  }

  private async crawlPage(context: CrawlContext, matcher: QueryMatcher, page: FrontierPage): Promise<void> {
    const { db, stats, writer } = context;
    try {
      const loaded = await context.loader.load(page.url, {}, context.signal);
      if (loaded.refusal?.refuses === 'resource') {
        recordPage(db, page.id, { state: 'skipped', httpStatus: loaded.status, error: loaded.refusal.directive });
        stats.pageFailed('skipped', loaded.refusal.directive);
      } else {
        db.transaction(() => {
          const { kept, tooLong } = boundCaptions(loaded.pairs);
          const matched = kept.map((pair) => ({ pair: { ...pair, pageUrl: loaded.url }, queryIds: matcher.match(pair.text) }));
          const batch = matched.filter((candidate) => candidate.queryIds.length > 0);
          const outcome = writer.store(batch);
          stats.addPairs(outcome, matched.length - batch.length, tooLong);
          stats.queries.finished += outcome.queriesFilled;
          stats.queries.left -= outcome.queriesFilled;
          if (page.depth < this.maxDepth) stats.pagesLeft += addPages(db, this.linksToFollow(loaded.links, page.depth + 1));
          recordPage(db, page.id, { state: 'done', httpStatus: loaded.status, error: pageNote(loaded) });
        }).immediate();
        stats.pages.fetched++;
      }
    } catch (error) {
      if (!(error instanceof FetchFailure)) throw error;
      if (error.reason === 'aborted') return;
      const outcome = failureOutcome(error, page.attempts);
      recordPage(db, page.id, outcome);
      stats.pageFailed(outcome.state === 'pending' ? 'deferred' : outcome.state, error.reason);
    }
    stats.pagesLeft--;
    context.reportProgress();
  }

  private linksToFollow(links: readonly string[], depth: number) {
    return links
      .map((link) => new URL(link))
      .filter((url) => this.allowed(url.hostname))
      .map((url) => ({ url: url.href, host: url.host, depth }));
  }
}

function failureOutcome(failure: FetchFailure, attemptsBefore: number): Exclude<PageOutcome, { state: 'done' }> {
  const httpStatus = failure.status ?? null;
  const refused = ['robots', 'noai', 'noindex', 'not_html'].includes(failure.reason);
  if (refused) return { state: 'skipped', httpStatus, error: failure.reason };
  if (!failure.retryable || attemptsBefore + 1 >= maxPageAttempts) return { state: 'failed', httpStatus, error: failure.reason };
  const waitSecs = Math.max(failure.retryAfterSecs ?? 0, retryLaterBaseSecs * 2 ** attemptsBefore);
  return { state: 'pending', httpStatus, error: failure.reason, nextTryAt: new Date(Date.now() + waitSecs * 1000) };
}

/** A test for host names: exact names, or patterns where `*` matches any run of characters. */
export function hostPatterns(patterns: readonly string[]): (hostname: string) => boolean {
  const expressions = patterns.map(
    (pattern) =>
      new RegExp(
        `^${pattern
          .toLowerCase()
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      ),
  );
  return (hostname) => expressions.some((expression) => expression.test(hostname.toLowerCase()));
}

/** What `pages.error` says of a page that was used: cut off, not rendered, or its images refused by its robots directives. */
function pageNote(page: LoadedPage): string | null {
  if (page.refusal) return page.refusal.directive;
  return page.truncated ? 'truncated' : (page.renderError ?? null);
}
