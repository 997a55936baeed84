import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { WitError } from '../../core/index.js';

// What the readers of URL+caption lists share: the formats (img2dataset's
// inputs), the row they yield, and the two ways a file can be bad.

export const listFormats = ['txt', 'csv', 'tsv', 'json', 'jsonl', 'parquet'] as const;
export type ListFormat = (typeof listFormats)[number];

/** The format of a list file by its name (`.gz` after any of them but parquet); undefined when none fits. */
export function listFormatOf(file: string): { format: ListFormat; gzip: boolean } | undefined {
  const gzip = file.toLowerCase().endsWith('.gz');
  const name = gzip ? file.slice(0, -3) : file;
  const format = listFormats.find((candidate) => name.toLowerCase().endsWith(`.${candidate}`));
  return format === undefined || (format === 'parquet' && gzip) ? undefined : { format, gzip };
}

/** One row of a list: its place in the file (0-based, header not counted) and its columns. */
export interface ListRow {
  index: number;
  values: Record<string, unknown>;
}

/** The columns a list source reads. */
export interface ListColumns {
  url: string;
  caption: string;
  save: readonly string[];
}

export interface ListReadOptions {
  columns: ListColumns;
  /** Rows before this index were committed by an earlier run: they are not yielded. */
  startRow: number;
  /** Parquet: whether row group `group` (0-based) is this partition's. */
  keepRowGroup: (group: number) => boolean;
}

export type ListReader = (file: string, options: ListReadOptions) => AsyncIterable<ListRow>;

/**
 * Bad data partway through a file (a malformed line, a truncated gzip
 * stream): the file is marked failed at the rows committed before it, and the
 * crawl goes on with the other files.
 */
export class BadListData extends Error {
  constructor(
    readonly file: string,
    readonly row: number,
    message: string,
  ) {
    super(`${file}, row ${row + 1}: ${message}`);
  }
}

/** A file without a column the crawl needs: a mistake in the flags or the file, so the crawl stops before reading it. */
export function checkColumns(file: string, columns: ListColumns, present: readonly string[]): void {
  const flags: Array<[string, string]> = [
    [columns.url, '--url-col'],
    [columns.caption, '--caption-col'],
    ...columns.save.map((name): [string, string] => [name, '--save-cols']),
  ];
  for (const [name, flag] of flags) {
    if (!present.includes(name)) {
      throw new WitError(
        `${file} has no column "${name}" (${flag}); its columns are: ${present.map((c) => JSON.stringify(c)).join(', ') || 'none'}.`,
      );
    }
  }
}

/**
 * The bytes of a text list, gunzipped when its name ends in `.gz`. The first
 * chunk is checked: a NUL byte means binary data (a parquet or image file
 * named .csv, a gzip file without .gz), refused before any row is read.
 */
export async function* textChunks(file: string, gzip: boolean): AsyncGenerator<Buffer> {
  const raw = createReadStream(file);
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (error) => stream.destroy(error));
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (first) refuseBinary(file, chunk);
      first = false;
      yield chunk;
    }
  } finally {
    raw.destroy();
  }
}

function refuseBinary(file: string, chunk: Buffer): void {
  if (!chunk.subarray(0, 64 * 1024).includes(0)) return;
  const looksLike =
    chunk.subarray(0, 4).toString('latin1') === 'PAR1'
      ? ' It looks like parquet: name it .parquet.'
      : chunk[0] === 0x1f && chunk[1] === 0x8b
        ? ' It looks gzipped: name it .gz.'
        : '';
  throw new WitError(`${file} is not a text list: it holds binary data (NUL bytes).${looksLike}`);
}

/** The lines of a text list (without `\n` or `\r\n`), each with its 0-based number. */
export async function* textLines(file: string, gzip: boolean): AsyncGenerator<{ line: string; index: number }> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let index = 0;
  for await (const chunk of textChunks(file, gzip)) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = lines.pop()!;
    for (const line of lines) yield { line: line.endsWith('\r') ? line.slice(0, -1) : line, index: index++ };
  }
  rest += decoder.decode();
  if (rest !== '') yield { line: rest, index };
}

/** A stream error that is the file's content (gzip damage), as opposed to a bug or a missing file. */
export function isDataError(error: unknown): error is Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
