import type { Argv, CommandModule } from 'yargs';
import { WitError } from '../../core/index.js';
import {
  archiveListOptions,
  crawlOptions,
  crawlRunOptions,
  jsonResultOptions,
  listSourceOptions,
  politenessOptions,
  resultSelectorOptions,
  searchSourceOptions,
  siteSourceOptions,
  warcSourceOptions,
} from '../../crawler/options.js';
import { fetchWhileCrawlingOptions } from '../../fetch/options.js';
import { checkFlags, dbOption, declareOptions, jsonOption, optionsFromArgv, printSummary, resolvedFromArgv } from './options.js';
import { resolvePartition, type ResolvedPartition } from './partition.js';
import { onStopSignals, stopExitCode } from './stop-signals.js';

interface CrawlArgs {
  db: string;
  json: boolean;
}

/** Every table `wit crawl` takes flags from, in the order --help shows them. */
const tables = [
  searchSourceOptions,
  resultSelectorOptions,
  jsonResultOptions,
  siteSourceOptions,
  listSourceOptions,
  warcSourceOptions,
  archiveListOptions,
  crawlOptions,
  politenessOptions,
  crawlRunOptions,
  fetchWhileCrawlingOptions,
];

function builder(y: Argv) {
  return jsonOption(dbOption(declareOptions(y, ...tables)))
    .usage(
      '$0 crawl --search URL_TEMPLATE | --seed URL... | --pairs FILE... | --warc PATH_OR_URL... | --warc-list FILE\n\n' +
        'Fill `pairs` with (image URL, text) pairs whose text contains a query, at most --cap per query.\n' +
        'Stop it any time (Ctrl-C, kill -9) and run the same command again: it resumes.',
    )
    .check(checkFlags(...tables))
    .check((argv) => {
      // Thrown, not returned: the CLI's fail handler rethrows what yargs passes it, and a WitError prints as a plain message.
      const problem = crawlArgsProblem(argv);
      if (problem) throw new WitError(`${problem}\nRun \`wit crawl --help\` to see the options.`, { exitCode: 2 });
      return true;
    });
}

/** Flag checks at the edge, between flags: a message that names the flag, or undefined. */
function crawlArgsProblem(argv: object): string | undefined {
  const { urlTemplate } = optionsFromArgv(searchSourceOptions, argv);
  const { seeds } = optionsFromArgv(siteSourceOptions, argv);
  const { archives } = optionsFromArgv(warcSourceOptions, argv);
  const archiveList = optionsFromArgv(archiveListOptions, argv);
  const sources = [urlTemplate, seeds, optionsFromArgv(listSourceOptions, argv).files, archives ?? archiveList.file];
  if (sources.filter((source) => source !== undefined).length !== 1)
    return 'Give exactly one source: --search URL_TEMPLATE, --seed URL, --pairs FILE or --warc PATH_OR_URL (or --warc-list FILE).';
  if (archiveList.prefix !== undefined && archiveList.file === undefined)
    return '--warc-prefix goes with --warc-list (it is put before the relative lines of that file).';
  const problem = listArgsProblem(argv) ?? searchArgsProblem(argv);
  if (problem) return problem;
  for (const seed of seeds ?? []) if (!isHttpUrl(seed)) return `--seed must be an http(s) URL; got ${seed}`;
  const run = optionsFromArgv(crawlRunOptions, argv);
  if (run.reason !== undefined && !run.retryFailed) return '--reason only makes sense with --retry-failed';
  if (run.partition !== undefined) {
    const resolved = resolvePartition(run.partition, run.partitions);
    if (typeof resolved === 'string') return resolved;
  }
  return undefined;
}

/** The list source's flags: only with --pairs, and --save-cols naming a column. */
function listArgsProblem(argv: object): string | undefined {
  const list = optionsFromArgv(listSourceOptions, argv);
  if (list.files === undefined) {
    const listOnly = (['saveColumns', 'keepUnmatched'] as const).find((key) => list[key] !== undefined && list[key] !== false);
    return listOnly ? `--${listSourceOptions.entries[listOnly].flag} goes with --pairs FILE...` : undefined;
  }
  if (list.files.length === 0) return '--pairs needs at least one file.';
  if (list.saveColumns?.length === 0)
    return `--save-cols must name columns, comma-separated (e.g. width,height); got ${JSON.stringify((argv as { 'save-cols'?: string })['save-cols'])}`;
  return undefined;
}

/** The search source's flags: a URL template with {query}; selectors within a result; the JSON paths all three or none. */
function searchArgsProblem(argv: object): string | undefined {
  const { urlTemplate } = optionsFromArgv(searchSourceOptions, argv);
  if (urlTemplate !== undefined) {
    if (!urlTemplate.includes('{query}'))
      return `--search must contain {query}, e.g. "https://host/search?q={query}&page={page}"; got ${urlTemplate}`;
    if (!isHttpUrl(urlTemplate.replaceAll('{query}', 'q').replaceAll('{page}', '1')))
      return `--search must be an http(s) URL template; got ${urlTemplate}`;
  }
  const selectors = optionsFromArgv(resultSelectorOptions, argv);
  if ((selectors.image || selectors.text) && !selectors.item)
    return '--image-selector and --text-selector need --result-selector (the element of one result).';
  const json = Object.values(optionsFromArgv(jsonResultOptions, argv));
  if (json.length > 0 && json.length < Object.keys(jsonResultOptions.entries).length)
    return 'Give --json-results, --json-image and --json-text together (or none, for HTML).';
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
    const run = optionsFromArgv(crawlRunOptions, argv);
    const images = resolvedFromArgv(fetchWhileCrawlingOptions, argv);
    const settings = optionsFromArgv(politenessOptions, argv);
    const source = crawlSource(argv, readArchiveList);
    const { db, close } = openDbAsWriter(argv.db, 'crawl');
    if (run.retryFailed) {
      const retried = resetFailedCrawlWork(db, run.reason);
      process.stderr.write(
        `wit crawl: trying again ${retried.pages} failed pages and ${retried.queries} failed queries${run.reason ? ` (${run.reason})` : ''}\n`,
      );
    }
    const controller = new AbortController();
    const stopListening = onStopSignals(() => {
      process.stderr.write('\nwit crawl: stopping; in-flight pages will be fetched again next run (Ctrl-C again to quit at once)\n');
      controller.abort();
    });
    if (!settings.userAgent && !settings.allowPrivate && source.kind !== 'list') {
      process.stderr.write(
        "wit crawl: no --user-agent given; sites will see wit's default. Name your crawler and how to reach you, " +
          "e.g. --user-agent 'mylab-bot/1.0 (+https://mylab.example/crawler)'\n",
      );
    }
    const progress = new ProgressLine({ label: 'crawl', unit: source.kind === 'list' ? 'rows' : 'pages' });
    const shown = images.fetch ? crawlAndFetchProgress(progress.update) : { crawl: progress.update, images: undefined };
    const partition = partitionOf(run);
    try {
      // One fetcher for pages and images: one politeness state per host.
      const fetcher = images.fetch ? new PoliteFetcher({ ...settings, db }) : settings;
      const crawling = crawl(db, {
        source,
        ...optionsFromArgv(crawlOptions, argv),
        fetcher,
        ...(partition ? { partition } : {}),
        signal: controller.signal,
        onProgress: shown.crawl,
      });
      const fetching = images.fetch
        ? fetchWhileCrawling(db, crawling, { imagesDir: images.imagesDir, fetcher, signal: controller.signal, onProgress: shown.images })
        : undefined;
      const summary = await crawling.catch(async (error: unknown) => {
        controller.abort();
        await fetching?.catch(() => undefined);
        throw error;
      });
      const fetched = await fetching;
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

/** The share of `--partition`, saying where it came from unless typed (checked by the builder: no problem comes back here). */
function partitionOf(run: { partition?: string; partitions?: number }) {
  if (run.partition === undefined) return undefined;
  const resolved = resolvePartition(run.partition, run.partitions) as ResolvedPartition;
  if (resolved.from !== '--partition')
    process.stderr.write(`wit crawl: partition ${resolved.partition.index + 1}/${resolved.partition.count}, from the ${resolved.from}\n`);
  return resolved.partition;
}

/** The one source the flags name (the builder checked there is exactly one). */
function crawlSource(argv: object, readArchiveList: (path: string, prefix?: string) => string[]) {
  const list = optionsFromArgv(listSourceOptions, argv);
  if (list.files !== undefined) return { kind: 'list' as const, ...list, files: list.files };
  const search = optionsFromArgv(searchSourceOptions, argv);
  if (search.urlTemplate !== undefined) {
    const json = optionsFromArgv(jsonResultOptions, argv);
    return {
      kind: 'search' as const,
      ...search,
      urlTemplate: search.urlTemplate,
      selectors: optionsFromArgv(resultSelectorOptions, argv),
      ...(json.results !== undefined ? { json: { results: json.results, image: json.image!, text: json.text! } } : {}),
    };
  }
  const site = optionsFromArgv(siteSourceOptions, argv);
  if (site.seeds !== undefined) return { kind: 'site' as const, ...site, seeds: site.seeds };
  const archiveList = optionsFromArgv(archiveListOptions, argv);
  const listed = archiveList.file === undefined ? [] : readArchiveList(archiveList.file, archiveList.prefix);
  return { kind: 'warc' as const, archives: [...(optionsFromArgv(warcSourceOptions, argv).archives ?? []), ...listed] };
}
