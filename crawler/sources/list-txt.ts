import { checkColumns, textLines, type ListReadOptions, type ListRow } from './list-file.js';

/** A txt list, as img2dataset reads it: one image URL a line, no caption (its pairs have empty text). */
export async function* readTxtList(file: string, gzip: boolean, options: ListReadOptions): AsyncGenerator<ListRow> {
  const { columns } = options;
  checkColumns(file, { ...columns, caption: columns.url }, [columns.url]);
  for await (const { line, index } of textLines(file, gzip)) {
    if (index >= options.startRow) yield { index, values: { [columns.url]: line.trim() } };
  }
}
