import type { CurationCandidate } from '../db/index.js';
import type { ImageClusters } from './image-clusters.js';

/** Drop reasons of dedupe. */
export type DedupeReason = 'duplicate_pair' | 'extra_caption' | 'near_duplicate';

/**
 * Keeps, per near-duplicate cluster, up to `captionsPerImage` distinct
 * captions (compared normalized). Pairs are taken in a fixed order: pairs
 * whose image is the representative first, then the others, each by pair id
 * (earliest found first). A pair is dropped as
 * - `duplicate_pair`: same image bytes (sha256) and same normalized caption as a pair before it;
 * - `extra_caption`: same image bytes as the representative, but the cluster's captions are full;
 * - `near_duplicate`: a different image of the cluster whose caption repeats a kept one or finds the captions full.
 * Kept pairs are written with the representative's image.
 */
export function selectCaptions(
  pairs: readonly CurationCandidate[],
  normalized: ReadonlyArray<string | undefined>,
  clusters: ImageClusters,
  captionsPerImage: number,
  dropReason: Array<string | undefined>,
): void {
  const { imageOfRow, representativeOf } = clusters;
  const rows: number[] = [];
  for (let row = 0; row < pairs.length; row += 1) if (imageOfRow[row]! >= 0) rows.push(row);
  const clusterOfRow = (row: number) => representativeOf[imageOfRow[row]!]!;
  const onCopy = (row: number) => (representativeOf[imageOfRow[row]!] === imageOfRow[row] ? 0 : 1);
  rows.sort((a, b) => clusterOfRow(a) - clusterOfRow(b) || onCopy(a) - onCopy(b) || pairs[a]!.pairId - pairs[b]!.pairId);

  let start = 0;
  while (start < rows.length) {
    const cluster = clusterOfRow(rows[start]!);
    let end = start;
    while (end < rows.length && clusterOfRow(rows[end]!) === cluster) end += 1;
    walkCluster(rows.slice(start, end), normalized, imageOfRow, cluster, captionsPerImage, dropReason);
    start = end;
  }
}

function walkCluster(
  rows: readonly number[],
  normalized: ReadonlyArray<string | undefined>,
  imageOfRow: Int32Array,
  representative: number,
  captionsPerImage: number,
  dropReason: Array<string | undefined>,
): void {
  const seen = new Set<string>();
  const kept = new Set<string>();
  for (const row of rows) {
    const caption = normalized[row]!;
    const image = imageOfRow[row]!;
    const pairKey = `${image}\n${caption}`;
    if (seen.has(pairKey)) dropReason[row] = 'duplicate_pair';
    else if (!kept.has(caption) && kept.size < captionsPerImage) kept.add(caption);
    else dropReason[row] = image === representative ? 'extra_caption' : 'near_duplicate';
    seen.add(pairKey);
  }
}
