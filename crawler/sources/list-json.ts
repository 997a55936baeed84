import { BadListData, checkColumns, textChunks, textLines, type ListReadOptions, type ListRow } from './list-file.js';

/** A jsonl list: one JSON object a line; its first object's keys are the file's columns. */
export async function* readJsonlList(file: string, gzip: boolean, options: ListReadOptions): AsyncGenerator<ListRow> {
  let checked = false;
  for await (const { line, index } of textLines(file, gzip)) {
    if (line.trim() === '') continue;
    const values = parseObject(file, index, line);
    if (!checked) checkColumns(file, options.columns, Object.keys(values));
    checked = true;
    if (index >= options.startRow) yield { index, values };
  }
}

/**
 * A json list: one array of objects (pandas' `records` orientation, as
 * img2dataset reads it). The array is parsed whole, so a list of millions of
 * rows is better given as jsonl or parquet.
 */
export async function* readJsonList(file: string, gzip: boolean, options: ListReadOptions): AsyncGenerator<ListRow> {
  const chunks: Buffer[] = [];
  for await (const chunk of textChunks(file, gzip)) chunks.push(chunk);
  let rows: unknown;
  try {
    rows = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new BadListData(file, 0, `not JSON (${(error as Error).message}); a json list is one array of objects`);
  }
  if (!Array.isArray(rows)) throw new BadListData(file, 0, 'a json list is one array of objects; this is not an array');
  for (let index = 0; index < rows.length; index++) {
    const values = asObject(file, index, rows[index]);
    if (index === 0) checkColumns(file, options.columns, Object.keys(values));
    if (index >= options.startRow) yield { index, values };
  }
}

function parseObject(file: string, index: number, line: string): Record<string, unknown> {
  try {
    return asObject(file, index, JSON.parse(line));
  } catch (error) {
    if (error instanceof BadListData) throw error;
    throw new BadListData(file, index, `not JSON (${(error as Error).message})`);
  }
}

function asObject(file: string, index: number, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadListData(file, index, 'not a JSON object');
  return value as Record<string, unknown>;
}
