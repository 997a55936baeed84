import type { CurationCandidate } from '../db/index.js';
import { parseHash64 } from './hash64.js';
import { clusterNearDuplicates, type NearDupStats } from './near-dup-clusters.js';

/** The distinct images (by sha256) of the surviving pairs, grouped into near-duplicate clusters. */
export interface ImageClusters {
  /** Per pair row: its image's index, or -1 for pairs not considered. */
  imageOfRow: Int32Array;
  /** Per image: its cluster (the cluster's representative image index). */
  representativeOf: Int32Array;
  /** Per image: one pair row that has it (to read its path, size, sha256). */
  rowOfImage: Int32Array;
  clusters: number;
  stats: NearDupStats;
}

/**
 * Exact dedupe first (one image per sha256), then near-duplicate clusters of
 * the images' pHashes. Images without a pHash stay alone. The representative
 * of a cluster is the image with the largest original area (width x height),
 * ties broken by the smallest sha256: the best copy, chosen the same way on
 * every run whatever the row order.
 */
export function clusterImages(pairs: readonly CurationCandidate[], alive: (row: number) => boolean, maxDistance: number): ImageClusters {
  const imageOfRow = new Int32Array(pairs.length).fill(-1);
  const imageBySha = new Map<string, number>();
  const rowOfImage: number[] = [];
  pairs.forEach((pair, row) => {
    if (!alive(row)) return;
    let image = imageBySha.get(pair.sha256!);
    if (image === undefined) {
      image = rowOfImage.length;
      imageBySha.set(pair.sha256!, image);
      rowOfImage.push(row);
    }
    imageOfRow[row] = image;
  });
  const stats: NearDupStats = { distinctHashes: 0, comparisons: 0, merges: 0 };
  const clusterOf = clusterHashedImages(
    rowOfImage.map((row) => pairs[row]!.phash),
    maxDistance,
    stats,
  );
  const representativeOf = chooseRepresentatives(
    clusterOf,
    rowOfImage.map((row) => pairs[row]!),
  );
  let clusters = 0;
  representativeOf.forEach((rep, image) => (clusters += rep === image ? 1 : 0));
  return { imageOfRow, representativeOf, rowOfImage: Int32Array.from(rowOfImage), clusters, stats };
}

/** Per image, a cluster id: the smallest image index in its cluster (itself for images without a hash). */
function clusterHashedImages(phashes: ReadonlyArray<string | null>, maxDistance: number, stats: NearDupStats): Int32Array {
  const hashed = new Int32Array(phashes.length);
  const hi = new Uint32Array(phashes.length);
  const lo = new Uint32Array(phashes.length);
  let count = 0;
  phashes.forEach((phash, image) => {
    const hash = parseHash64(phash);
    if (!hash) return;
    hashed[count] = image;
    hi[count] = hash.hi;
    lo[count] = hash.lo;
    count += 1;
  });
  const clusterOfHashed = clusterNearDuplicates(hi.subarray(0, count), lo.subarray(0, count), maxDistance, stats);
  const clusterOf = Int32Array.from(phashes, (_, image) => image);
  for (let h = 0; h < count; h += 1) clusterOf[hashed[h]!] = hashed[clusterOfHashed[h]!]!;
  return clusterOf;
}

/** Per image, its cluster's representative: the best copy among the images sharing its cluster id. */
function chooseRepresentatives(clusterOf: Int32Array, images: readonly CurationCandidate[]): Int32Array {
  const best = new Int32Array(clusterOf.length).fill(-1);
  clusterOf.forEach((cluster, image) => {
    const current = best[cluster]!;
    if (current === -1 || isBetterCopy(images[image]!, images[current]!)) best[cluster] = image;
  });
  return clusterOf.map((cluster) => best[cluster]!);
}

function isBetterCopy(a: CurationCandidate, b: CurationCandidate): boolean {
  const areaA = (a.width ?? 0) * (a.height ?? 0);
  const areaB = (b.width ?? 0) * (b.height ?? 0);
  if (areaA !== areaB) return areaA > areaB;
  return a.sha256! < b.sha256!;
}
