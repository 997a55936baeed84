import type { Argv } from 'yargs';

// The URL+caption list source of `wit crawl` (`--pairs FILE...`): its flags,
// their checks and the source options they make, apart from the other sources'.

export interface CrawlPairsArgs {
  pairs?: string[];
  'url-col': string;
  'caption-col': string;
  'save-cols'?: string;
  'keep-unmatched': boolean;
}

export function pairsOptions<T>(y: Argv<T>) {
  return y
    .option('pairs', {
      type: 'string',
      array: true,
      describe: 'List source: URL+caption files (txt, csv, tsv, json, jsonl, each plain or .gz; parquet)',
      group: 'Source:',
    })
    .option('url-col', { type: 'string', default: 'url', describe: 'Lists: the image URL column', group: 'Source:' })
    .option('caption-col', { type: 'string', default: 'caption', describe: 'Lists: the caption column', group: 'Source:' })
    .option('save-cols', {
      type: 'string',
      describe: "Lists: more columns to keep with each pair, comma-separated (pairs.extra; in the shards' .json)",
      group: 'Source:',
    })
    .option('keep-unmatched', {
      type: 'boolean',
      default: false,
      describe: 'Lists: keep pairs whose caption matches no query (no query, no cap)',
      group: 'Source:',
    });
}

/** A message naming the flag, or undefined. */
export function pairsArgsProblem(argv: CrawlPairsArgs): string | undefined {
  if (argv.pairs === undefined) {
    const listOnly = (['save-cols', 'keep-unmatched'] as const).find((flag) => argv[flag] !== undefined && argv[flag] !== false);
    return listOnly ? `--${listOnly} goes with --pairs FILE...` : undefined;
  }
  if (argv.pairs.length === 0) return '--pairs needs at least one file.';
  if (argv['url-col'].trim() === '') return '--url-col must name a column.';
  if (argv['caption-col'].trim() === '') return '--caption-col must name a column.';
  if (argv['save-cols'] !== undefined && saveColumns(argv['save-cols']).length === 0)
    return `--save-cols must name columns, comma-separated (e.g. width,height); got ${JSON.stringify(argv['save-cols'])}`;
  return undefined;
}

export function pairsSource(argv: CrawlPairsArgs) {
  return {
    kind: 'list' as const,
    files: argv.pairs!,
    urlColumn: argv['url-col'],
    captionColumn: argv['caption-col'],
    saveColumns: argv['save-cols'] === undefined ? [] : saveColumns(argv['save-cols']),
    keepUnmatched: argv['keep-unmatched'],
  };
}

function saveColumns(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}
