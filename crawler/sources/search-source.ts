import { resolveOptions, type GivenOptions } from '../../core/index.js';
import { countQueryProgress, setQueryState, unfinishedQueries, type CrawlQuery } from '../../db/index.js';
import { QueryMatcher } from '../../queries/index.js';
import type { ImageText, ResultSelectors } from '../extract.js';
import { boundCaptions } from '../caption-bound.js';
import { searchSourceOptions } from '../options.js';
import { FetchFailure } from '../fetch-failure.js';
import { jsonResults, type JsonResultMapping } from './json-results.js';
import type { RobotsRefusal } from '../x-robots-tag.js';
import type { CrawlContext, Source } from './source.js';

/** The declared options (options.ts, the crawl's own), the HTML selectors or the JSON mapping. */
export interface SearchSourceOptions extends GivenOptions<typeof searchSourceOptions.entries> {
  kind: 'search';
  urlTemplate: string;
  /** For HTML responses; by default every `img` with its alt, title and figcaption. */
  selectors?: ResultSelectors;
  /** Read responses as JSON with this mapping instead of as HTML. */
  json?: JsonResultMapping;
}

/**
 * Asks a search endpoint about every query, page after page, until the query
 * has `cap` pairs, a page adds nothing new (no results, or only results of its
 * earlier pages, as endpoints that repeat their last page give), or `maxPages`. Only results whose
 * text contains the query (as whole words) are kept, counted against it. The
 * next page is stored in `queries.cursor` in the same transaction as the pairs,
 * so a restart resumes at the first page not fully stored.
 */
export class SearchSource implements Source {
  private readonly maxPages: number;

  constructor(private readonly options: SearchSourceOptions) {
    this.maxPages = resolveOptions(searchSourceOptions, options).maxPages;
  }

  async run(context: CrawlContext): Promise<void> {
    const { db, partition } = context;
    context.stats.queries.left = countQueryProgress(db, partition).left;
    const running = new Set<Promise<void>>();
    try {
      await this.crawlQueries(context, running);
    } finally {
      await Promise.allSettled(running);
    }
  }

  /** Keeps up to `concurrency` queries in flight, in id order, until none is left. */
  private async crawlQueries(context: CrawlContext, running: Set<Promise<void>>): Promise<void> {
    const { db, partition, signal } = context;
    let afterId = 0;
    while (!signal.aborted) {
      const batch = unfinishedQueries(db, { afterId, limit: 1000, ...(partition ? { partition } : {}) });
      if (batch.length === 0) break;
      for (const query of batch) {
        if (signal.aborted) break;
        afterId = query.id;
        const task: Promise<void> = this.crawlQuery(context, query).finally(() => running.delete(task));
        running.add(task);
        if (running.size >= context.concurrency) await Promise.race(running);
      }
    }
  }

  private async crawlQuery(context: CrawlContext, query: CrawlQuery): Promise<void> {
    const { db, writer, stats } = context;
    const containsQuery = QueryMatcher.build([{ id: query.id, text: query.text }]);
    // Results seen on this query's earlier pages in this run: a page of only those (or none) is the end.
    const seen = new Set<string>();
    let page = query.cursor === null ? 1 : Number(query.cursor);
    let finished = query.pair_count >= writer.cap || page > this.maxPages;
    setQueryState(db, query.id, { state: finished ? 'done' : 'running' });
    while (!finished) {
      const url = searchUrl(this.options.urlTemplate, query.text, page);
      let results: ImageText[];
      try {
        results = await this.fetchResults(context, url);
      } catch (error) {
        if (!(error instanceof FetchFailure)) throw error;
        if (error.reason === 'aborted') return;
        stats.pageFailed(error.retryable ? 'deferred' : 'failed', error.reason);
        setQueryState(db, query.id, { state: error.retryable ? 'pending' : 'failed', error: error.reason });
        if (!error.retryable) this.countFinished(context);
        context.reportProgress();
        return;
      }
      const { kept, tooLong } = boundCaptions(results);
      const matching = kept.filter((result) => containsQuery.match(result.text).length > 0);
      const addsNothingNew = results.every((result) => seen.has(pairKey(result)));
      for (const result of results) seen.add(pairKey(result));
      const thisPage = page;
      finished = db
        .transaction(() => {
          const outcome = writer.storeForQuery(
            query.id,
            matching.map((pair) => ({ ...pair, pageUrl: url })),
          );
          stats.addPairs(outcome, kept.length - matching.length, tooLong);
          const done = addsNothingNew || thisPage >= this.maxPages || writer.isFull(query.id);
          setQueryState(db, query.id, { state: done ? 'done' : 'running', cursor: String(thisPage + 1), error: null });
          return done;
        })
        .immediate();
      stats.pages.fetched++;
      context.reportProgress();
      page++;
    }
    this.countFinished(context);
  }

  private countFinished(context: CrawlContext): void {
    context.stats.queries.finished++;
    context.stats.queries.left--;
  }

  private async fetchResults(context: CrawlContext, url: string): Promise<ImageText[]> {
    const { signal } = context;
    if (this.options.json) {
      const fetched = await context.fetcher.fetch(url, { purpose: 'page', maxBytes: context.maxPageBytes, onTooLarge: 'fail', signal });
      if (fetched.refusal) throw refused(url, fetched.refusal);
      return jsonResults(fetched.body, fetched.url, this.options.json);
    }
    const page = await context.loader.load(url, this.options.selectors, signal);
    if (page.refusal) throw refused(url, page.refusal);
    return page.pairs;
  }
}

/** The template with `{query}` and `{page}` filled in. */
export function searchUrl(template: string, queryText: string, page: number): string {
  return template.replaceAll('{query}', encodeURIComponent(queryText)).replaceAll('{page}', String(page));
}

/** A result page whose robots directives forbid using it or its images ends its query. */
function refused(url: string, refusal: RobotsRefusal): FetchFailure {
  return new FetchFailure(refusal.directive, `${url} says ${refusal.directive} (X-Robots-Tag or <meta name="robots">)`, {
    retryable: false,
  });
}

function pairKey(pair: ImageText): string {
  return `${pair.imageUrl}\n${pair.text}`;
}
