import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { CurationCandidate, CurationRecord } from '../db/index.js';
import { ReasonCounter, WitError } from '../core/index.js';
import { evenShardSizes, ShardWriter, writeShardMetadata, type WrittenShard } from '../webdataset/index.js';
import { cleanCaption } from './caption-checks.js';
import type { CuratedPairs } from './curate-pairs.js';
import type { PhaseProgress } from './options.js';
import { extraColumns } from './extra-columns.js';

export interface WriteSamplesOptions {
  imagesDir: string;
  outDir: string;
  /** Most samples a shard holds. */
  shardSize: number;
  /** Fewest shards a split is cut into when it has that many samples. */
  minShards: number;
  /** Recorded in each `<shard>_stats.json`. */
  config: Record<string, unknown>;
  progress?: PhaseProgress;
}

/**
 * Writes the kept pairs of both splits into shards, in the curated order,
 * spread evenly over the shards (`evenShardSizes`), each tar with its
 * `<shard>.parquet` and `<shard>_stats.json`; returns every pair's `curation`
 * record, in row order. A kept pair whose image file cannot be read is
 * dropped (`image_file_missing`, counted in the stats of the shard it was
 * meant for) and the next pair takes its key.
 */
export async function writeSamples(
  pairs: readonly CurationCandidate[],
  curated: CuratedPairs,
  options: WriteSamplesOptions,
): Promise<{ shards: WrittenShard[]; records: CurationRecord[] }> {
  const placed = new Map<number, { shard: string; key: string }>();
  const shards: WrittenShard[] = [];
  const counter = { done: 0, total: curated.train.length + curated.val.length };
  for (const split of ['train', 'val'] as const) {
    shards.push(...(await writeSplit(split, pairs, curated, options, placed, counter)));
  }
  options.progress?.update(counter);
  options.progress?.finish();
  const records = pairs.map((pair, row): CurationRecord => {
    const at = placed.get(row);
    if (!at)
      return { pairId: pair.pairId, decision: 'drop', reason: curated.dropReason[row] ?? 'image_file_missing', shard: null, key: null };
    return { pairId: pair.pairId, decision: at.shard.startsWith('val-') ? 'val' : 'train', reason: null, shard: at.shard, key: at.key };
  });
  return { shards, records };
}

/** What one shard's metadata gathers while its tar is written. */
interface ShardLog {
  records: Record<string, unknown>[];
  failures: ReasonCounter;
  startedAt: number;
  endedAt: number;
}

async function writeSplit(
  split: 'train' | 'val',
  pairs: readonly CurationCandidate[],
  curated: CuratedPairs,
  options: WriteSamplesOptions,
  placed: Map<number, { shard: string; key: string }>,
  counter: { done: number; total: number },
): Promise<WrittenShard[]> {
  const imageOf = (row: number) => pairs[curated.imageRow[row]!]!;
  const present = curated[split].filter((row) => existsSync(join(options.imagesDir, imageOf(row).path!))).length;
  const sizes = evenShardSizes(present, options.shardSize, options.minShards);
  const writer = new ShardWriter({ outDir: options.outDir, split, shardSize: options.shardSize, sizes });
  const logs = new Map<string, ShardLog>();
  let missingBefore = 0; // image_file_missing since the last sample written, counted against the next one's shard
  try {
    for (const row of curated[split]) {
      const image = imageOf(row);
      const jpg = readImage(options.imagesDir, image.path!);
      if (jpg) {
        const json = await sampleJson(pairs[row]!, image, jpg);
        const at = writer.add({ jpg, txt: cleanCaption(pairs[row]!.text), json });
        placed.set(row, at);
        const log = logOf(logs, at.shard);
        log.records.push({ key: at.key, ...json });
        if (missingBefore > 0) log.failures.add('image_file_missing', missingBefore);
        missingBefore = 0;
        log.endedAt = Date.now();
      } else {
        curated.dropReason[row] = 'image_file_missing';
        missingBefore += 1;
      }
      counter.done += 1;
      if (counter.done % 1000 === 0) options.progress?.update(counter);
    }
    const written = writer.finish();
    const last = written.at(-1);
    if (last && missingBefore > 0) logOf(logs, last.name).failures.add('image_file_missing', missingBefore);
    for (const shard of written)
      writeShardMetadata(options.outDir, shard.name, logs.get(shard.name)!.records, shardStats(logs.get(shard.name)!, options.config));
    return written;
  } catch (error) {
    writer.abort();
    throw error;
  }
}

function logOf(logs: Map<string, ShardLog>, shard: string): ShardLog {
  let log = logs.get(shard);
  if (!log) {
    log = { records: [], failures: new ReasonCounter(), startedAt: Date.now(), endedAt: Date.now() };
    logs.set(shard, log);
  }
  return log;
}

function shardStats(log: ShardLog, config: Record<string, unknown>) {
  const failures = log.failures.toJSON();
  const successes = log.records.length;
  return {
    count: successes + log.failures.total,
    successes,
    failed_to_download: 0,
    failed_to_resize: 0,
    failures,
    duration: (log.endedAt - log.startedAt) / 1000,
    start_time: log.startedAt / 1000,
    end_time: log.endedAt / 1000,
    status_dict: { success: successes, ...failures },
    config,
  };
}

/**
 * `<key>.json` (and the shard parquet's row): img2dataset's fields, then
 * wit's. The image written is the cluster's representative: `url`, `sha256`,
 * `original_width`/`original_height` (the source's size) and
 * `width`/`height` (the stored JPEG's) describe it, while `pair_image_url`
 * is the image the caption was found with (a near duplicate of it, or the
 * same). The list columns saved with the pair (`pairs.extra`) follow.
 */
async function sampleJson(pair: CurationCandidate, image: CurationCandidate, jpg: Buffer): Promise<Record<string, unknown>> {
  const stored = await storedSize(jpg);
  const fields: Record<string, unknown> = {
    url: image.imageUrl,
    caption: cleanCaption(pair.text),
    status: 'success',
    error_message: null,
    width: stored.width,
    height: stored.height,
    original_width: image.width,
    original_height: image.height,
    sha256: image.sha256,
    query: pair.query,
    text_origin: pair.textOrigin,
    page_url: pair.pageUrl,
    phash: image.phash,
    pair_id: pair.pairId,
    pair_image_url: pair.imageUrl,
  };
  for (const [name, value] of Object.entries(extraColumns(pair.extra))) if (!(name in fields)) fields[name] = value;
  return fields;
}

async function storedSize(jpg: Buffer): Promise<{ width: number | null; height: number | null }> {
  try {
    const { width, height } = await sharp(jpg).metadata();
    return { width: width ?? null, height: height ?? null };
  } catch {
    return { width: null, height: null };
  }
}

function readImage(imagesDir: string, path: string): Buffer | undefined {
  try {
    return readFileSync(join(imagesDir, path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WitError(
      `Cannot read ${join(imagesDir, path)} from the image store (${(error as Error).message}); fix its permissions and run again.`,
      { cause: error },
    );
  }
}
