import {
  choice,
  choices,
  decimal,
  mostDelayMillis,
  nameList,
  optionTable,
  path,
  paths,
  text,
  texts,
  wholeNumber,
  yesNo,
} from '../core/index.js';
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

const source = 'Source:';

export const searchSourceOptions = optionTable('SearchSourceOptions', {
  /** A URL with `{query}` (URL-encoded query text) and usually `{page}` (1, 2, …). */
  urlTemplate: text({ flag: 'search', describe: 'Search source: a URL template with {query} and {page}', group: source }),
  /** Result pages fetched per query at most. */
  maxPages: wholeNumber({
    flag: 'max-pages',
    least: 1,
    most: 100_000,
    default: 20,
    describe: 'Search: result pages per query at most',
    group: source,
  }),
});

/** Where a result is in a search's HTML; by default every `img` with its alt, title and figcaption. */
export const resultSelectorOptions = optionTable('ResultSelectors', {
  /** One result. */
  item: text({ flag: 'result-selector', describe: 'Search HTML: CSS selector of one result (default: every img)', group: source }),
  /** The image inside a result. */
  image: text({ flag: 'image-selector', describe: 'Search HTML: the image inside a result (default: img)', group: source }),
  /** The text inside a result. */
  text: text({ flag: 'text-selector', describe: "Search HTML: the text inside a result (default: the image's alt)", group: source }),
});

/** A dotted path into a JSON search response; empty: the response itself. */
function jsonPath(spec: { flag: string; describe: string }) {
  return { ...text({ ...spec, group: source }), rule: 'a dotted path', accepts: (given: unknown) => typeof given === 'string' };
}

/** Where the results are in a JSON search response: give all three, or none for HTML. */
export const jsonResultOptions = optionTable('JsonResultMapping', {
  results: jsonPath({ flag: 'json-results', describe: 'Search JSON: dotted path to the results array ("" for the top level)' }),
  image: jsonPath({ flag: 'json-image', describe: 'Search JSON: dotted path to the image URL in a result' }),
  text: jsonPath({ flag: 'json-text', describe: 'Search JSON: dotted path to the text in a result' }),
});

export const siteSourceOptions = optionTable('SiteSourceOptions', {
  /** Where the crawl starts (depth 0). */
  seeds: texts({ flag: 'seed', describe: 'Site source: start URL(s); links to --allow-host hosts are followed', group: source }),
  /** Host names whose links are followed; `*` matches any run of characters (`*.example.org`). Unset: the seeds' host names. */
  allowHosts: texts({
    flag: 'allow-host',
    describe: "Site: host names to follow links to, * as wildcard (default: the seeds' hosts)",
    group: source,
  }),
  /** Link steps from a seed at most (0: the seeds only). */
  maxDepth: wholeNumber({
    flag: 'max-depth',
    least: 0,
    most: 100,
    default: 3,
    describe: 'Site: link steps from a seed at most',
    group: source,
  }),
});

export const warcSourceOptions = optionTable('WarcSourceOptions', {
  /** .warc, .warc.gz or WAT files, paths or http(s) URLs. */
  archives: texts({ flag: 'warc', describe: 'Web archives: .warc, .warc.gz or WAT files, paths or http(s) URLs', group: source }),
});

/** The CLI's other form of `archives`: a paths file, as Common Crawl publishes them. */
export const archiveListOptions = optionTable('ArchiveList', {
  file: path({
    flag: 'warc-list',
    describe: "Web archives: a paths file, one a line, plain or .gz (Common Crawl's warc.paths.gz)",
    group: source,
  }),
  prefix: text({
    flag: 'warc-prefix',
    describe: 'Put before relative lines of --warc-list, e.g. https://data.commoncrawl.org/',
    group: source,
  }),
});

export const listSourceOptions = optionTable('ListSourceOptions', {
  /** URL+caption lists: txt, csv, tsv, json, jsonl (each plain or .gz) or parquet, by file name. */
  files: paths({
    flag: 'pairs',
    describe: 'List source: URL+caption files (txt, csv, tsv, json, jsonl, each plain or .gz; parquet)',
    group: source,
  }),
  /** The image URL column. */
  urlColumn: text({ flag: 'url-col', default: 'url', describe: 'Lists: the image URL column', group: source }),
  /** The caption column. */
  captionColumn: text({ flag: 'caption-col', default: 'caption', describe: 'Lists: the caption column', group: source }),
  /** More columns kept with each pair (`pairs.extra`, a JSON object), as img2dataset's `save_additional_columns`. */
  saveColumns: nameList({
    flag: 'save-cols',
    default: [],
    describe: "Lists: more columns to keep with each pair, comma-separated (pairs.extra; in the shards' .json)",
    group: source,
  }),
  /** Store pairs whose caption matches no query too, with no query and outside the cap. */
  keepUnmatched: yesNo({
    flag: 'keep-unmatched',
    default: false,
    describe: 'Lists: keep pairs whose caption matches no query (no query, no cap)',
    group: source,
  }),
});

/** How `wit crawl` runs: again over failed work, or one share of a partitioned crawl. */
export const crawlRunOptions = optionTable('CrawlRun', {
  retryFailed: yesNo({
    flag: 'retry-failed',
    default: false,
    describe: 'Try failed pages and search queries again (e.g. after fixing --search or adding --allow-private)',
  }),
  reason: text({ flag: 'reason', describe: 'With --retry-failed: only those failed with this reason (e.g. private_address, timeout)' }),
  partition: text({
    flag: 'partition',
    describe:
      'i/N: crawl only share i of N (queries for --search, hosts for --seed, files and parquet row groups for --pairs, every N-th archive for --warc); auto: from a Slurm job array or a Kubernetes indexed Job; merge with `wit db merge`',
  }),
  partitions: wholeNumber({
    flag: 'partitions',
    least: 1,
    describe: 'With --partition auto in a Kubernetes indexed Job: N, the number of completions',
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
