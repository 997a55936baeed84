import { existsSync, statSync } from 'node:fs';
import {
  addSourceFiles,
  advanceSourceFile,
  countQueryProgress,
  finishSourceFile,
  sourceFileAt,
  stableHash,
  type Partition,
  type SourceFileRow,
} from '../../db/index.js';
import { resolveOptions, WitError, type GivenOptions } from '../../core/index.js';
import { loadMatcher, type QueryMatcher } from '../../queries/index.js';
import { maxCaptionChars } from '../caption-bound.js';
import { collapse } from '../extract.js';
import { listSourceOptions } from '../options.js';
import type { PairToStore } from '../pair-cap.js';
import { readDelimitedList } from './list-delimited.js';
import { BadListData, isDataError, listFormatOf, listFormats, type ListColumns, type ListReadOptions, type ListRow } from './list-file.js';
import { readJsonList, readJsonlList } from './list-json.js';
import { readParquetList } from './list-parquet.js';
import { readTxtList } from './list-txt.js';
import type { CrawlContext, Source } from './source.js';

/** The declared options (options.ts, the crawl's own). */
export interface ListSourceOptions extends GivenOptions<typeof listSourceOptions.entries> {
  kind: 'list';
  files: readonly string[];
}

/** Why a row gives no pair: no URL, or one that is not http(s). */
type RowSkip = 'no_url' | 'bad_url';

/** Rows read between commits: each commit stores their pairs and moves the file's resume point in one transaction. */
const rowsPerCommit = 20_000;

/** The files of a list source a library caller could get wrong, checked before anything is written. */
export function checkListSource(source: ListSourceOptions): void {
  if (source.files.length === 0) throw new WitError('The list source needs at least one file (`wit crawl --pairs FILE...`).');
  for (const file of source.files) {
    if (!listFormatOf(file))
      throw new WitError(
        `${file}: the list format is not known by its name; name it .${listFormats.join(', .')} (plain or .gz, parquet plain).`,
      );
    if (!existsSync(file) || !statSync(file).isFile()) throw new WitError(`List file ${file} does not exist (or is not a file).`);
  }
}

/**
 * Reads URL+caption lists, img2dataset's inputs. Each caption goes through the
 * query matcher and the per-query cap as a page's would; a caption matching no
 * query is counted and dropped, or stored with no query (`keepUnmatched`).
 * Resume state is one `source_files` row per file: the rows committed, moved
 * forward in the transaction that stores their pairs.
 */
export class ListSource implements Source {
  private readonly columns: ListColumns;

  constructor(private readonly options: ListSourceOptions) {
    const { urlColumn, captionColumn, saveColumns } = resolveOptions(listSourceOptions, options);
    this.columns = { url: urlColumn, caption: captionColumn, save: saveColumns };
  }

  async run(context: CrawlContext): Promise<void> {
    const { db, partition, signal, stats } = context;
    addSourceFiles(db, 'list', this.options.files);
    const matcher = loadMatcher(db);
    stats.queries.left = countQueryProgress(db).left;
    stats.listFiles = this.options.files.filter((file) => inPartition(file, partition)).length;
    for (const file of this.options.files) {
      if (signal.aborted) return;
      const row = sourceFileAt(db, file)!;
      if (row.state === 'done' || row.state === 'failed' || !inPartition(file, partition)) continue;
      await this.readFile(context, matcher, row);
      if (signal.aborted) return;
    }
  }

  private async readFile(context: CrawlContext, matcher: QueryMatcher, file: SourceFileRow): Promise<void> {
    const { db, stats, signal, writer } = context;
    const batch: ListRow[] = [];
    const commit = () => {
      if (batch.length === 0) return;
      const candidates = batch.map((row) => this.candidate(row, matcher));
      const rowPairs = candidates.filter((c): c is PairToStore => typeof c !== 'string');
      const fitting = rowPairs.filter((c) => c.pair.text.length <= maxCaptionChars);
      const toStore = fitting.filter((c) => c.queryIds.length > 0 || this.options.keepUnmatched === true);
      const outcome = db
        .transaction(() => {
          const stored = writer.store(toStore);
          advanceSourceFile(db, file.id, { position: batch[batch.length - 1]!.index + 1, records: batch.length, pairs: stored.stored });
          return stored;
        })
        .immediate();
      const skipped = candidates.filter((c): c is RowSkip => typeof c === 'string');
      for (const reason of skipped) stats.rowSkipped(reason);
      stats.rows += batch.length;
      stats.addPairs(outcome, fitting.length - toStore.length, rowPairs.length - fitting.length);
      stats.queries.finished += outcome.queriesFilled;
      stats.queries.left -= outcome.queriesFilled;
      batch.length = 0;
      context.reportProgress();
    };
    try {
      for await (const row of this.rows(file, context.partition)) {
        batch.push(row);
        if (batch.length < rowsPerCommit) continue;
        commit();
        if (signal.aborted) return;
      }
      commit();
      finishSourceFile(db, file.id, { state: 'done' });
    } catch (error) {
      const bad =
        error instanceof BadListData
          ? error
          : isDataError(error)
            ? new BadListData(file.location, (batch.at(-1)?.index ?? file.position - 1) + 1, error.message)
            : undefined;
      if (!bad) throw error;
      commit();
      finishSourceFile(db, file.id, { state: 'failed', error: bad.message });
      stats.listFailed();
    }
  }

  private rows(file: SourceFileRow, partition: Partition | undefined): AsyncIterable<ListRow> {
    const { format, gzip } = listFormatOf(file.location)!;
    const shift = stableHash(file.location);
    const options: ListReadOptions = {
      columns: this.columns,
      startRow: file.position,
      keepRowGroup: (group) => !partition || (shift + group) % partition.count === partition.index,
    };
    switch (format) {
      case 'txt':
        return readTxtList(file.location, gzip, options);
      case 'csv':
      case 'tsv':
        return readDelimitedList(file.location, format, gzip, options);
      case 'json':
        return readJsonList(file.location, gzip, options);
      case 'jsonl':
        return readJsonlList(file.location, gzip, options);
      case 'parquet':
        return readParquetList(file.location, options);
    }
  }

  /** The pair a row gives with the queries its caption matches, or why it gives none. */
  private candidate(row: ListRow, matcher: QueryMatcher): PairToStore | RowSkip {
    const url = textOf(row.values[this.columns.url]).trim();
    if (url === '') return 'no_url';
    if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) return 'bad_url';
    const text = collapse(textOf(row.values[this.columns.caption]));
    const extra =
      this.columns.save.length === 0
        ? null
        : JSON.stringify(Object.fromEntries(this.columns.save.map((name) => [name, jsonValue(row.values[name])])));
    return { pair: { imageUrl: new URL(url).href, text, textOrigin: 'list', pageUrl: null, extra }, queryIds: matcher.match(text) };
  }
}

/**
 * A text file goes to one partition, by a stable hash of its name; a parquet
 * file to every partition, each reading its own row groups.
 */
function inPartition(file: string, partition: Partition | undefined): boolean {
  return !partition || listFormatOf(file)!.format === 'parquet' || stableHash(file) % partition.count === partition.index;
}

function textOf(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** A column's value as JSON can hold it: parquet's 64-bit integers as numbers when exact, else as decimal strings. */
function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value ?? null;
}
