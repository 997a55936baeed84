import { setMaxListeners } from 'node:events';
import { countQueries, writeMeta, type Partition, type WitDb } from '../db/index.js';
import { resolveOptions, WitError, type GivenOptions, type ProgressSink } from '../core/index.js';
import { crawlOptions, listSourceOptions, searchSourceOptions, siteSourceOptions, warcSourceOptions } from './options.js';
import { CrawlStats, type CrawlSummary } from './crawl-stats.js';
import { PageLoader } from './page-loader.js';
import { CappedPairWriter } from './pair-cap.js';
import { fetcherFor, type FetcherChoice, type PoliteFetcherSettings } from './polite-fetcher.js';
import { PageRenderer } from './renderer.js';
import { checkListSource, ListSource, type ListSourceOptions } from './sources/list-source.js';
import { SearchSource, type SearchSourceOptions } from './sources/search-source.js';
import { SiteSource, type SiteSourceOptions } from './sources/site-source.js';
import type { Source } from './sources/source.js';
import { WarcSource, type WarcSourceOptions } from './sources/warc-source.js';

/** The source and the hooks of a crawl; its settings (cap, render, maxPageBytes) are declared in options.ts. */
export interface CrawlOptions extends GivenOptions<typeof crawlOptions.entries> {
  /** Where candidate pairs come from. */
  source: SearchSourceOptions | SiteSourceOptions | ListSourceOptions | WarcSourceOptions;
  /**
   * How pages are fetched: user agent, limits, retries, `allowPrivate` (the robots.txt cache is the crawl's db);
   * or a `PoliteFetcher` to share with an image fetch running at the same time, so that each host has one politeness state.
   */
  fetcher?: FetcherChoice;
  /** Chromium for `render`. @default '/usr/bin/chromium' */
  chromiumPath?: string;
  /** Crawl only this share: queries (search) or hosts (site) by a stable hash, every N-th archive (warc). */
  partition?: Partition;
  /** Abort to stop cleanly: no new pages start, in-flight ones are dropped unrecorded, and `crawl` returns. */
  signal?: AbortSignal;
  onProgress?: ProgressSink;
}

/**
 * Fills `pairs` from a source, politely and resumably: all state is in `db`, so
 * the same call after a crash or Ctrl-C goes on where this one stopped.
 */
export async function crawl(db: WitDb, options: CrawlOptions): Promise<CrawlSummary> {
  checkSource(options.source);
  const keepsAll = options.source.kind === 'list' && options.source.keepUnmatched === true;
  if (countQueries(db) === 0 && !keepsAll) {
    throw new WitError(`The db has no queries to crawl for. Add some first: \`wit queries build\` or \`wit queries import FILE\`.`);
  }
  const signal = options.signal ?? new AbortController().signal;
  setMaxListeners(0, signal); // every request in flight listens to it
  const { fetcher, owned } = fetcherFor(options.fetcher, db);
  const settings = resolveOptions(crawlOptions, options);
  const { cap, render, maxPageBytes } = settings;
  const renderer =
    render === 'never'
      ? undefined
      : new PageRenderer({ fetcher, maxBytes: maxPageBytes, ...(options.chromiumPath ? { executablePath: options.chromiumPath } : {}) });
  const stats = new CrawlStats(options.source.kind === 'search');
  const source = sourceOf(options.source, fetcher.settings);
  const { signal: _signal, onProgress: _onProgress, ...config } = options;
  writeMeta(db, 'crawl.config', { ...config, ...settings, source: resolvedSource(options.source), fetcher: fetcher.settings });
  try {
    await source.run({
      db,
      fetcher,
      loader: new PageLoader({ fetcher, render, maxPageBytes, ...(renderer ? { renderer } : {}) }),
      writer: new CappedPairWriter(db, cap),
      stats,
      reportProgress: () => options.onProgress?.(stats.progress()),
      ...(options.partition ? { partition: options.partition } : {}),
      signal,
      concurrency: fetcher.settings.concurrency,
      perHost: fetcher.settings.perHost,
      maxPageBytes,
    });
  } finally {
    await renderer?.close();
    if (owned) await fetcher.close();
  }
  return stats.summary(signal.aborted);
}

/** The source's options with their defaults, as the crawl records them. */
function resolvedSource(source: CrawlOptions['source']): object {
  switch (source.kind) {
    case 'search':
      return { ...source, ...resolveOptions(searchSourceOptions, source) };
    case 'site':
      return { ...source, ...resolveOptions(siteSourceOptions, source) };
    case 'list':
      return { ...source, ...resolveOptions(listSourceOptions, source) };
    case 'warc':
      return { ...source, ...resolveOptions(warcSourceOptions, source) };
  }
}

function sourceOf(options: CrawlOptions['source'], fetching: PoliteFetcherSettings): Source {
  switch (options.kind) {
    case 'search':
      return new SearchSource(options);
    case 'site':
      return new SiteSource(options);
    case 'list':
      return new ListSource(options);
    case 'warc':
      return new WarcSource(options, {
        allowPrivate: fetching.allowPrivate,
        userAgent: fetching.userAgent,
        idleTimeoutSecs: fetching.timeoutSecs,
      });
  }
}

/** The source options a library caller could get wrong, checked before anything is written. */
function checkSource(source: CrawlOptions['source']): void {
  if (source.kind === 'list') {
    checkListSource(source);
    return;
  }
  const isHttp = (url: string) => URL.canParse(url) && ['http:', 'https:'].includes(new URL(url).protocol);
  if (source.kind === 'search') {
    const sample = source.urlTemplate.replaceAll('{query}', 'q').replaceAll('{page}', '1');
    if (!source.urlTemplate.includes('{query}') || !isHttp(sample)) {
      throw new WitError(`The search URL template must be an http(s) URL with {query} (and usually {page}); got ${source.urlTemplate}`);
    }
    return;
  }
  if (source.kind === 'warc') {
    if (source.archives.length === 0) throw new WitError('The warc source needs at least one archive path or URL.');
    return;
  }
  if (source.seeds.length === 0) throw new WitError('The site source needs at least one seed URL.');
  const bad = source.seeds.find((seed) => !isHttp(seed));
  if (bad !== undefined) throw new WitError(`Seed ${bad} is not an http(s) URL.`);
}
