import type { Argv, CommandModule } from 'yargs';
import { WitError } from '../../core/index.js';
import { pairsArgsProblem, pairsOptions, pairsSource, type CrawlPairsArgs } from './crawl-pairs.js';
import { crawlOptions, politenessOptions, searchSourceOptions, siteSourceOptions } from '../../crawler/options.js';
import { checkFlags, dbOption, declareOptions, jsonOption, optionsFromArgv, printSummary } from './options.js';
import { resolvePartition, type ResolvedPartition } from './partition.js';
import { onStopSignals, stopExitCode } from './stop-signals.js';

interface CrawlArgs extends CrawlPairsArgs {
  db: string;
  search?: string;
  seed?: string[];
  warc?: string[];
  'warc-list'?: string;
  'warc-prefix'?: string;
  'result-selector'?: string;
  'image-selector'?: string;
  'text-selector'?: string;
  'json-results'?: string;
  'json-image'?: string;
  'json-text'?: string;
  'allow-host'?: string[];
  'user-agent'?: string;
  partition?: string;
  partitions?: number;
  'allow-private'?: boolean;
  'retry-failed': boolean;
  reason?: string;
  fetch: boolean;
  images: string;
  json: boolean;
}

function builder(y: Argv) {
  return jsonOption(pairsOptions(dbOption(declareOptions(y, searchSourceOptions, siteSourceOptions, crawlOptions, politenessOptions))))
    .usage(
      '$0 crawl --search URL_TEMPLATE | --seed URL... | --pairs FILE... | --warc PATH_OR_URL... | --warc-list FILE\n\n' +
        'Fill `pairs` with (image URL, text) pairs whose text contains a query, at most --cap per query.\n' +
        'Stop it any time (Ctrl-C, kill -9) and run the same command again: it resumes.',
    )
    .option('search', { type: 'string', describe: 'Search source: a URL template with {query} and {page}', group: 'Source:' })
    .option('seed', {
      type: 'string',
      array: true,
      describe: 'Site source: start URL(s); links to --allow-host hosts are followed',
      group: 'Source:',
    })
    .option('warc', {
      type: 'string',
      array: true,
      describe: 'Web archives: .warc, .warc.gz or WAT files, paths or http(s) URLs',
      group: 'Source:',
    })
    .option('warc-list', {
      type: 'string',
      describe: "Web archives: a paths file, one a line, plain or .gz (Common Crawl's warc.paths.gz)",
      group: 'Source:',
    })
    .option('warc-prefix', {
      type: 'string',
      describe: 'Put before relative lines of --warc-list, e.g. https://data.commoncrawl.org/',
      group: 'Source:',
    })
    .option('result-selector', {
      type: 'string',
      describe: 'Search HTML: CSS selector of one result (default: every img)',
      group: 'Source:',
    })
    .option('image-selector', { type: 'string', describe: 'Search HTML: the image inside a result (default: img)', group: 'Source:' })
    .option('text-selector', {
      type: 'string',
      describe: "Search HTML: the text inside a result (default: the image's alt)",
      group: 'Source:',
    })
    .option('json-results', {
      type: 'string',
      describe: 'Search JSON: dotted path to the results array ("" for the top level)',
      group: 'Source:',
    })
    .option('json-image', { type: 'string', describe: 'Search JSON: dotted path to the image URL in a result', group: 'Source:' })
    .option('json-text', { type: 'string', describe: 'Search JSON: dotted path to the text in a result', group: 'Source:' })
    .option('allow-host', {
      type: 'string',
      array: true,
      describe: "Site: host names to follow links to, * as wildcard (default: the seeds' hosts)",
      group: 'Source:',
    })
    .option('retry-failed', {
      type: 'boolean',
      default: false,
      describe: 'Try failed pages and search queries again (e.g. after fixing --search or adding --allow-private)',
    })
    .option('reason', {
      type: 'string',
      describe: 'With --retry-failed: only those failed with this reason (e.g. private_address, timeout)',
    })
    .option('fetch', {
      type: 'boolean',
      default: false,
      describe: "Fetch the pairs' images while crawling (as `wit fetch` with its defaults)",
      group: 'Images:',
    })
    .option('images', {
      type: 'string',
      default: 'images',
      normalize: true,
      describe: 'With --fetch: the image store folder',
      group: 'Images:',
    })
    .option('partition', {
      type: 'string',
      describe:
        'i/N: crawl only share i of N (queries for --search, hosts for --seed, files and parquet row groups for --pairs, every N-th archive for --warc); auto: from a Slurm job array or a Kubernetes indexed Job; merge with `wit db merge`',
    })
    .option('partitions', { type: 'number', describe: 'With --partition auto in a Kubernetes indexed Job: N, the number of completions' })
    .check(checkFlags(searchSourceOptions, siteSourceOptions, crawlOptions, politenessOptions))
    .check((argv) => {
      // Thrown, not returned: the CLI's fail handler rethrows what yargs passes it, and a WitError prints as a plain message.
      const problem = crawlArgsProblem(argv as unknown as CrawlArgs);
      if (problem) throw new WitError(`${problem}\nRun \`wit crawl --help\` to see the options.`, { exitCode: 2 });
      return true;
    });
}

/** Flag checks at the edge: a message that names the flag, or undefined. */
function crawlArgsProblem(argv: CrawlArgs): string | undefined {
  const sources = [argv.search, argv.seed, argv.pairs, argv.warc ?? argv['warc-list']].filter((source) => source !== undefined);
  if (sources.length !== 1)
    return 'Give exactly one source: --search URL_TEMPLATE, --seed URL, --pairs FILE or --warc PATH_OR_URL (or --warc-list FILE).';
  if (argv['warc-prefix'] !== undefined && argv['warc-list'] === undefined)
    return '--warc-prefix goes with --warc-list (it is put before the relative lines of that file).';
  const pairsProblem = pairsArgsProblem(argv);
  if (pairsProblem) return pairsProblem;
  if (argv.search !== undefined) {
    if (!argv.search.includes('{query}'))
      return `--search must contain {query}, e.g. "https://host/search?q={query}&page={page}"; got ${argv.search}`;
    if (!isHttpUrl(argv.search.replaceAll('{query}', 'q').replaceAll('{page}', '1')))
      return `--search must be an http(s) URL template; got ${argv.search}`;
  }
  for (const seed of argv.seed ?? []) if (!isHttpUrl(seed)) return `--seed must be an http(s) URL; got ${seed}`;
  if ((argv['image-selector'] || argv['text-selector']) && !argv['result-selector'])
    return '--image-selector and --text-selector need --result-selector (the element of one result).';
  const json = [argv['json-results'], argv['json-image'], argv['json-text']];
  if (json.some((v) => v !== undefined) && json.some((v) => v === undefined))
    return 'Give --json-results, --json-image and --json-text together (or none, for HTML).';
  if (argv.reason !== undefined && !argv['retry-failed']) return '--reason only makes sense with --retry-failed';
  if (argv.partition !== undefined) {
    const resolved = resolvePartition(argv.partition, argv.partitions);
    if (typeof resolved === 'string') return resolved;
  }
  return undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

export const crawlCommand: CommandModule<object, CrawlArgs> = {
  command: 'crawl',
  describe: 'Discover (image, text) pairs for every query, politely and resumably',
  builder: (y) => builder(y),
  handler: async (argv) => {
    const { crawl, formatCrawlSummary, PoliteFetcher, readArchiveList } = await import('../../crawler/index.js');
    const { crawlAndFetchProgress, fetchWhileCrawling, formatFetchSummary } = await import('../../fetch/index.js');
    const { openDbAsWriter, resetFailedCrawlWork } = await import('../../db/index.js');
    const { ProgressLine } = await import('../../core/index.js');
    const { db, close } = openDbAsWriter(argv.db, 'crawl');
    if (argv['retry-failed']) {
      const retried = resetFailedCrawlWork(db, argv.reason);
      process.stderr.write(
        `wit crawl: trying again ${retried.pages} failed pages and ${retried.queries} failed queries${argv.reason ? ` (${argv.reason})` : ''}\n`,
      );
    }
    const controller = new AbortController();
    const stopListening = onStopSignals(() => {
      process.stderr.write('\nwit crawl: stopping; in-flight pages will be fetched again next run (Ctrl-C again to quit at once)\n');
      controller.abort();
    });
    if (!argv['user-agent'] && !argv['allow-private'] && argv.pairs === undefined) {
      process.stderr.write(
        "wit crawl: no --user-agent given; sites will see wit's default. Name your crawler and how to reach you, " +
          "e.g. --user-agent 'mylab-bot/1.0 (+https://mylab.example/crawler)'\n",
      );
    }
    const progress = new ProgressLine({ label: 'crawl', unit: argv.pairs !== undefined ? 'rows' : 'pages' });
    const shown = argv.fetch ? crawlAndFetchProgress(progress.update) : { crawl: progress.update, images: undefined };
    // Checked by the builder: a string (a problem) cannot come back here.
    const resolved = argv.partition === undefined ? undefined : (resolvePartition(argv.partition, argv.partitions) as ResolvedPartition);
    const partition = resolved?.partition;
    if (resolved && resolved.from !== '--partition')
      process.stderr.write(`wit crawl: partition ${resolved.partition.index + 1}/${resolved.partition.count}, from the ${resolved.from}\n`);
    try {
      const settings = optionsFromArgv(politenessOptions, argv);
      // One fetcher for pages and images: one politeness state per host.
      const fetcher = argv.fetch ? new PoliteFetcher({ ...settings, db }) : settings;
      const crawling = crawl(db, {
        source:
          argv.pairs !== undefined
            ? pairsSource(argv)
            : argv.search !== undefined
              ? searchSource(argv)
              : argv.seed !== undefined
                ? siteSource(argv)
                : warcSource(argv, readArchiveList),
        ...optionsFromArgv(crawlOptions, argv),
        fetcher,
        ...(partition ? { partition } : {}),
        signal: controller.signal,
        onProgress: shown.crawl,
      });
      const images = argv.fetch
        ? fetchWhileCrawling(db, crawling, { imagesDir: argv.images, fetcher, signal: controller.signal, onProgress: shown.images })
        : undefined;
      const summary = await crawling.catch(async (error: unknown) => {
        controller.abort();
        await images?.catch(() => undefined);
        throw error;
      });
      const fetched = await images;
      progress.finish();
      const both = { ...summary, ...(fetched ? { images: fetched } : {}) };
      printSummary(argv.json, both, ({ images, ...crawled }) =>
        [formatCrawlSummary(crawled), ...(images ? [formatFetchSummary(images)] : [])].join('\n'),
      );
      if (summary.stopped) process.exitCode = stopExitCode();
      else if (summary.archives?.failed.length) process.exitCode = 1;
      if (fetcher instanceof PoliteFetcher) await fetcher.close();
    } finally {
      stopListening();
      close();
    }
  },
};

function searchSource(argv: CrawlArgs) {
  const selectors = {
    ...(argv['result-selector'] ? { item: argv['result-selector'] } : {}),
    ...(argv['image-selector'] ? { image: argv['image-selector'] } : {}),
    ...(argv['text-selector'] ? { text: argv['text-selector'] } : {}),
  };
  const json =
    argv['json-results'] !== undefined
      ? { results: argv['json-results'], image: argv['json-image']!, text: argv['json-text']! }
      : undefined;
  return {
    kind: 'search' as const,
    urlTemplate: argv.search!,
    ...optionsFromArgv(searchSourceOptions, argv),
    selectors,
    ...(json ? { json } : {}),
  };
}

function siteSource(argv: CrawlArgs) {
  return {
    kind: 'site' as const,
    seeds: argv.seed!,
    ...optionsFromArgv(siteSourceOptions, argv),
    ...(argv['allow-host'] ? { allowHosts: argv['allow-host'] } : {}),
  };
}

function warcSource(argv: CrawlArgs, readArchiveList: (path: string, prefix?: string) => string[]) {
  const listed = argv['warc-list'] === undefined ? [] : readArchiveList(argv['warc-list'], argv['warc-prefix']);
  return { kind: 'warc' as const, archives: [...(argv.warc ?? []), ...listed] };
}
