import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WitError, type CurationCandidate, type CurationRecord } from '../db/index.js';
import { cleanCaption } from './caption-checks.js';
import type { CuratedPairs } from './curate-pairs.js';
import type { PhaseProgress } from './options.js';
import { ShardWriter, type WrittenShard } from '../webdataset/index.js';

export interface WriteSamplesOptions {
  imagesDir: string;
  outDir: string;
  shardSize: number;
  progress?: PhaseProgress;
}

/**
 * Writes the kept pairs of both splits into shards, in the curated order, and
 * returns every pair's `curation` record, in row order. A kept pair whose
 * image file cannot be read is dropped (`image_file_missing`) and the next
 * pair takes its key.
 */
export function writeSamples(
  pairs: readonly CurationCandidate[],
  curated: CuratedPairs,
  options: WriteSamplesOptions,
): { shards: WrittenShard[]; records: CurationRecord[] } {
  const placed = new Map<number, { shard: string; key: string }>();
  const shards: WrittenShard[] = [];
  const total = curated.train.length + curated.val.length;
  let done = 0;
  for (const split of ['train', 'val'] as const) {
    const writer = new ShardWriter({ outDir: options.outDir, split, shardSize: options.shardSize });
    try {
      for (const row of curated[split]) {
        const image = pairs[curated.imageRow[row]!]!;
        const jpg = readImage(options.imagesDir, image.path!);
        if (jpg) placed.set(row, writer.add({ jpg, txt: cleanCaption(pairs[row]!.text), json: sampleJson(pairs[row]!, image) }));
        else curated.dropReason[row] = 'image_file_missing';
        done += 1;
        if (done % 1000 === 0) options.progress?.update({ done, total });
      }
      shards.push(...writer.finish());
    } catch (error) {
      writer.abort();
      throw error;
    }
  }
  options.progress?.update({ done, total });
  options.progress?.finish();
  const records = pairs.map((pair, row): CurationRecord => {
    const at = placed.get(row);
    if (!at) return { pairId: pair.pairId, decision: 'drop', reason: curated.dropReason[row] ?? 'image_file_missing', shard: null, key: null };
    return { pairId: pair.pairId, decision: at.shard.startsWith('val-') ? 'val' : 'train', reason: null, shard: at.shard, key: at.key };
  });
  return { shards, records };
}

/**
 * `<key>.json`: the pair (caption, where it was found, its query) and the
 * image written, which is the cluster's representative: `url`, `sha256`,
 * `width`, `height` describe that image (size of the original), while
 * `pair_image_url` is the image the caption was found with (a near duplicate
 * of it, or the same).
 */
function sampleJson(pair: CurationCandidate, image: CurationCandidate): Record<string, unknown> {
  return {
    pair_id: pair.pairId,
    caption: cleanCaption(pair.text),
    url: image.imageUrl,
    pair_image_url: pair.imageUrl,
    page_url: pair.pageUrl,
    text_origin: pair.textOrigin,
    query: pair.query,
    width: image.width,
    height: image.height,
    sha256: image.sha256,
    phash: image.phash,
  };
}

function readImage(imagesDir: string, path: string): Buffer | undefined {
  try {
    return readFileSync(join(imagesDir, path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WitError(`Cannot read ${join(imagesDir, path)} from the image store (${(error as Error).message}); fix its permissions and run again.`, { cause: error });
  }
}
