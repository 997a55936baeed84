import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { BadListData, checkColumns, textChunks, type ListReadOptions, type ListRow } from './list-file.js';

/**
 * A csv or tsv list with a header row, through csv-parse: quoted fields,
 * embedded newlines and quotes, a BOM, `\r\n` line ends. tsv is split on tabs
 * with no quoting, as CC3M and CC12M write it.
 */
export async function* readDelimitedList(
  file: string,
  format: 'csv' | 'tsv',
  gzip: boolean,
  options: ListReadOptions,
): AsyncGenerator<ListRow> {
  const parser = parse({
    delimiter: format === 'tsv' ? '\t' : ',',
    quote: format === 'tsv' ? false : '"',
    bom: true,
    columns: (header: string[]) => {
      checkColumns(file, options.columns, header);
      return header;
    },
    relax_column_count: true,
    skip_empty_lines: true,
  });
  const feeding = pipeline(Readable.from(textChunks(file, gzip)), parser);
  feeding.catch(() => undefined); // its error reaches the loop below through the parser
  let index = -1;
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      index++;
      if (index >= options.startRow) yield { index, values: record };
    }
  } catch (error) {
    if (error instanceof CsvError) throw new BadListData(file, index + 1, error.message);
    throw error;
  } finally {
    parser.destroy();
  }
}
