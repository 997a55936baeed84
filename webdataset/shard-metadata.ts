import { join } from 'node:path';
import { parquetWriteBuffer, type BasicType, type ColumnSource } from 'hyparquet-writer';
import { writeFileAtomic, writeJsonAtomic } from './durable-file.js';

/**
 * img2dataset's per-shard metadata, beside each tar: `<shard>.parquet`, one
 * row per sample (the fields of its `.json`, one column each), and
 * `<shard>_stats.json` (counts, failures by reason, timing, config), so that
 * pandas, DuckDB or img2dataset's own tools read a wit folder as one of theirs.
 */

/** What `<shard>_stats.json` holds, in img2dataset's field names plus `failures`. */
export interface ShardStats {
  /** Samples attempted for this shard: successes plus failures. */
  count: number;
  successes: number;
  failed_to_download: number;
  failed_to_resize: number;
  /** Pairs that were meant for this shard but could not be written, per reason. */
  failures: Record<string, number>;
  /** Seconds spent writing the shard. */
  duration: number;
  /** Unix seconds. */
  start_time: number;
  end_time: number;
  status_dict: Record<string, number>;
  config: Record<string, unknown>;
}

/** `train-000003.tar` → `train-000003.parquet` and `train-000003_stats.json`. */
export function shardMetadataNames(shardName: string): { parquet: string; stats: string } {
  const stem = shardName.replace(/\.tar$/, '');
  return { parquet: `${stem}.parquet`, stats: `${stem}_stats.json` };
}

/** Writes `<shard>.parquet` (one row per record, columns in first-seen key order) and `<shard>_stats.json`. */
export function writeShardMetadata(
  outDir: string,
  shardName: string,
  records: readonly Record<string, unknown>[],
  stats: ShardStats,
): void {
  const names = shardMetadataNames(shardName);
  writeFileAtomic(join(outDir, names.parquet), new Uint8Array(parquetWriteBuffer({ columnData: columnsOf(records) })));
  writeJsonAtomic(join(outDir, names.stats), stats);
}

function columnsOf(records: readonly Record<string, unknown>[]): ColumnSource[] {
  const names = [...new Set(records.flatMap((record) => Object.keys(record)))];
  return names.map((name) => {
    const values = records.map((record) => record[name] ?? null);
    const type = columnType(values);
    const data =
      type === 'STRING' ? values.map((value) => (value === null || typeof value === 'string' ? value : JSON.stringify(value))) : values;
    return { name, data, type };
  });
}

/** INT32 for whole numbers that fit, DOUBLE for other numbers, BOOLEAN, else STRING (objects as JSON text). */
function columnType(values: readonly unknown[]): BasicType {
  const present = values.filter((value) => value !== null);
  if (present.length > 0 && present.every((value) => typeof value === 'boolean')) return 'BOOLEAN';
  if (present.length > 0 && present.every((value) => typeof value === 'number' && Number.isFinite(value))) {
    return present.every((value) => Number.isInteger(value) && Math.abs(value as number) < 2 ** 31) ? 'INT32' : 'DOUBLE';
  }
  return 'STRING';
}
