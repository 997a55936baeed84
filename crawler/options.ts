import { choice, choices, mostDelayMillis, optionTable, text, wholeNumber, decimal, yesNo } from '../core/index.js';
import { robotsDirectives } from './x-robots-tag.js';

// Every option of the crawl stage, declared once: `crawl` and `wit db merge`
// (the cap), the search and site sources, and the polite fetcher that `wit
// crawl` and `wit fetch` share. The library's defaults and checks, the flags
// and their --help come from here.

/** The cap: a query holds at most this many pairs, in a crawl and in a merge of partition dbs. */
const cap = wholeNumber({ flag: 'cap', least: 1, most: 1e9, default: 20_000, describe: 'Pairs per query at most' });

export const crawlOptions = optionTable('CrawlOptions', {
  cap,
  /** Run pages' scripts in chromium: never, when a page looks script-built, or always. */
  render: choice({
    flag: 'render',
    choices: ['never', 'auto', 'always'] as const,
    default: 'never',
    describe: 'Run page scripts in chromium: auto renders pages that look script-built',
  }),
  /** HTML beyond this is cut off and the page marked `truncated`. */
  maxPageBytes: wholeNumber({
    flag: 'max-page-bytes',
    least: 1024,
    most: 1024 ** 3,
    default: 10 * 1024 * 1024,
    describe: 'HTML beyond this is cut off (and the page marked truncated)',
  }),
});

export const mergeOptions = optionTable('MergeOptions', { cap });

export const searchSourceOptions = optionTable('SearchSourceOptions', {
  /** Result pages fetched per query at most. */
  maxPages: wholeNumber({
    flag: 'max-pages',
    least: 1,
    most: 100_000,
    default: 20,
    describe: 'Search: result pages per query at most',
    group: 'Source:',
  }),
});

export const siteSourceOptions = optionTable('SiteSourceOptions', {
  /** Link steps from a seed at most (0: the seeds only). */
  maxDepth: wholeNumber({
    flag: 'max-depth',
    least: 0,
    most: 100,
    default: 3,
    describe: 'Site: link steps from a seed at most',
    group: 'Source:',
  }),
});

const politeness = 'Politeness:';

export const politenessOptions = optionTable('PoliteFetcherOptions', {
  /**
   * Sent with every request; names the crawler and a contact URL. Its first word
   * (`wit`) is the token robots.txt groups and `X-Robots-Tag` scopes are matched against.
   */
  userAgent: text({
    flag: 'user-agent',
    default: 'wit/0.1 (+https://github.com/wit-dataset/wit; a research crawler for image-text pairs)',
    describe: 'User agent naming the crawler and a contact URL',
    group: politeness,
  }),
  /** Requests in flight in all. */
  concurrency: wholeNumber({
    flag: 'concurrency',
    least: 1,
    most: 1024,
    default: 32,
    describe: 'Requests in flight in all',
    group: politeness,
  }),
  /** Requests in flight to one host. */
  perHost: wholeNumber({ flag: 'per-host', least: 1, most: 64, default: 2, describe: 'Requests in flight to one host', group: politeness }),
  /** Least time between the starts of two requests to one host (a larger robots.txt Crawl-delay wins, up to 60 s). */
  hostDelayMillis: wholeNumber({
    flag: 'host-delay-millis',
    alias: 'host-delay',
    least: 0,
    most: mostDelayMillis,
    default: 250,
    describe: 'Milliseconds between request starts to one host',
    group: politeness,
  }),
  /** Limit for one attempt, body included. */
  timeoutSecs: decimal({
    flag: 'timeout-secs',
    alias: 'timeout',
    least: 0.001,
    most: 3600,
    default: 30,
    describe: 'Seconds for one request, body included',
    group: politeness,
  }),
  /** Tries after the first, for network errors, timeouts, 429 and 5xx. */
  maxRetries: wholeNumber({
    flag: 'retries',
    least: 0,
    most: 20,
    default: 3,
    describe: 'Retries for network errors, timeouts, 429 and 5xx',
    group: politeness,
  }),
  /** The first retry waits about this long, each further one twice as long (±50% jitter); `Retry-After` overrides it. */
  retryBaseMillis: wholeNumber({
    flag: 'retry-delay-millis',
    alias: 'retry-delay',
    least: 0,
    most: mostDelayMillis,
    default: 1000,
    describe: 'Milliseconds before the first retry; doubles each time (Retry-After wins)',
    group: politeness,
  }),
  /** Connect to private, loopback and link-local addresses too. */
  allowPrivate: yesNo({
    flag: 'allow-private',
    default: false,
    describe: 'Allow private, loopback and link-local addresses (off: a page cannot make wit scan your network)',
    group: politeness,
  }),
  /** `X-Robots-Tag` (and `<meta name="robots">`) directives honoured, as img2dataset's `disallowed_header_directives`. */
  disallowedDirectives: choices({
    flag: 'disallowed-header-directives',
    choices: robotsDirectives,
    default: robotsDirectives,
    describe: 'X-Robots-Tag / <meta name=robots> directives honoured: noai, noimageai (no training use), noindex, noimageindex',
    group: politeness,
  }),
});
