export * from './images/index.js';
export { PoliteFetcher, defaultUserAgent, parseHttpUrl, type FetchRequest, type FetchedResource, type PoliteFetcherOptions } from './polite-fetcher.js';
export { FetchFailure, type FetchFailureReason } from './fetch-failure.js';
export { isPublicAddress } from './address-guard.js';
