import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterNearDuplicates, parseHash64, resolveCurateOptions } from '../curate/index.js';
import { droppedPairRows, hashedImageRows, openDb, type ExampleRow, type WitDb } from '../db/index.js';
import { thumbnailDataUri } from './thumbnail.js';

/** One pair as the report shows it: its text, its image URL and, when the image store is given, a thumbnail. */
export interface PairExample {
  text: string;
  imageUrl: string;
  thumbnail?: string;
}

export interface DatasetExamples {
  /** A few dropped pairs for each drop reason, most frequent reason first. */
  dropped: Array<{ reason: string; pairs: PairExample[] }>;
  /** The largest near-duplicate clusters of the stored images, a few members each. */
  clusters: PairExample[][];
}

export interface DatasetExamplesOptions {
  /** The image store `wit fetch` wrote: with it, examples get thumbnails. */
  imagesDir?: string;
  /** @default 4 */
  perReason?: number;
  /** @default 6 */
  clusterCount?: number;
  /** @default 6 */
  perCluster?: number;
}

/** Images read for the clusters at most: enough to find the big ones without holding a whole crawl. */
const maxClusterImages = 200_000;

/** Examples for the report, read from the db (read-only). */
export async function readDatasetExamples(dbPath: string, options: DatasetExamplesOptions = {}): Promise<DatasetExamples> {
  const db = openDb(dbPath, { readonly: true });
  let dropped: Array<{ reason: string; rows: ExampleRow[] }>;
  let clusters: ExampleRow[][];
  try {
    dropped = droppedPairRows(db, options.perReason ?? 4);
    clusters = clusterRows(db, options.clusterCount ?? 6, options.perCluster ?? 6);
  } finally {
    db.close();
  }
  const example = (row: ExampleRow) => withThumbnail(row, options.imagesDir);
  return {
    dropped: await Promise.all(dropped.map(async ({ reason, rows }) => ({ reason, pairs: await Promise.all(rows.map(example)) }))),
    clusters: await Promise.all(clusters.map((rows) => Promise.all(rows.map(example)))),
  };
}

/** Clusters of stored images within the curation's default pHash distance, largest first. */
function clusterRows(db: WitDb, clusterCount: number, perCluster: number): ExampleRow[][] {
  const images = hashedImageRows(db, maxClusterImages);
  const hashed = images.map((image) => ({ image, hash: parseHash64(image.phash) })).filter((h) => h.hash !== undefined);
  const hi = Uint32Array.from(hashed, (h) => h.hash!.hi);
  const lo = Uint32Array.from(hashed, (h) => h.hash!.lo);
  const clusterOf = clusterNearDuplicates(hi, lo, resolveCurateOptions({}).nearDupDistance);
  const members = new Map<number, ExampleRow[]>();
  clusterOf.forEach((cluster, i) => appendTo(members, cluster, hashed[i]!.image));
  return [...members.values()]
    .filter((list) => list.length > 1)
    .sort((a, b) => b.length - a.length)
    .slice(0, clusterCount)
    .map((list) => list.slice(0, perCluster).map(({ text, image_url, path }) => ({ text: text ?? '', image_url, path })));
}

function appendTo<K, V>(lists: Map<K, V[]>, key: K, value: V): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}

async function withThumbnail(row: ExampleRow, imagesDir: string | undefined): Promise<PairExample> {
  const example: PairExample = { text: row.text, imageUrl: row.image_url };
  const file = imagesDir && row.path ? join(imagesDir, row.path) : undefined;
  if (file && existsSync(file)) example.thumbnail = await thumbnailDataUri(readFileSync(file), 96);
  return example;
}
