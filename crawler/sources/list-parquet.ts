import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet';
import { WitError } from '../../core/index.js';
import { BadListData, checkColumns, type ListReadOptions, type ListRow } from './list-file.js';

/**
 * A parquet list (LAION, DataComp), through hyparquet: one row group in
 * memory at a time, only the columns needed, and only this partition's row
 * groups, so one large file can be split several ways.
 */
export async function* readParquetList(file: string, options: ListReadOptions): AsyncGenerator<ListRow> {
  const buffer = await asyncBufferFromFile(file);
  const metadata = await readMetadata(file, buffer);
  const present = parquetSchema(metadata).children.map((child) => child.element.name);
  checkColumns(file, options.columns, present);
  const { url, caption, save } = options.columns;
  const columns = [...new Set([url, caption, ...save])];
  let groupStart = 0;
  for (const [group, rowGroup] of metadata.row_groups.entries()) {
    const groupEnd = groupStart + Number(rowGroup.num_rows);
    const rowStart = Math.max(groupStart, options.startRow);
    if (options.keepRowGroup(group) && rowStart < groupEnd) {
      const rows = await readRows(file, { file: buffer, metadata, columns, rowStart, rowEnd: groupEnd });
      for (const [offset, values] of rows.entries()) yield { index: rowStart + offset, values };
    }
    groupStart = groupEnd;
  }
}

async function readRows(
  file: string,
  range: { file: AsyncBuffer; metadata: FileMetaData; columns: string[]; rowStart: number; rowEnd: number },
) {
  try {
    return await parquetReadObjects({ ...range, rowFormat: 'object' });
  } catch (error) {
    throw new BadListData(file, range.rowStart, `unreadable row group (${(error as Error).message})`);
  }
}

async function readMetadata(file: string, buffer: AsyncBuffer): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new WitError(`${file} is not a parquet file that can be read (${(error as Error).message}).`);
  }
}
