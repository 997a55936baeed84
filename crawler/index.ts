export {
  PoliteFetcher,
  fetcherFor,
  type FetchRequest,
  type FetchedResource,
  type FetcherChoice,
  type PoliteFetcherOptions,
  type PoliteFetcherSettings,
} from './polite-fetcher.js';
export type { RobotsDirective } from './x-robots-tag.js';
export { FetchFailure, type FetchFailureReason } from './fetch-failure.js';
export { crawl, type CrawlOptions } from './crawl.js';
export { formatCrawlSummary, type CrawlSummary } from './crawl-stats.js';
export type { ExtractedPage, ImageText, ResultSelectors, TextOrigin } from './extract.js';
export { CappedPairWriter, type PairCandidate, type StoreOutcome } from './pair-cap.js';
export type { RenderMode } from './page-loader.js';
export type { SearchSourceOptions } from './sources/search-source.js';
export type { ListSourceOptions } from './sources/list-source.js';
export type { SiteSourceOptions } from './sources/site-source.js';
export { readArchiveList } from './sources/archive-list.js';
export type { WarcSourceOptions } from './sources/warc-source.js';
export type { JsonResultMapping } from './sources/json-results.js';
export { mergeDbs, type MergeCounts, type MergeOptions } from './merge.js';
