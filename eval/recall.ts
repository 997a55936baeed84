import { dot } from './embeddings.js';

/** Recall at one cut-off, both directions. */
export interface RecallAtK {
  k: number;
  /** Fraction of images whose own caption ranks in the top k of all captions. */
  imageToText: number;
  /** Fraction of captions whose own image ranks in the top k of all images. */
  textToImage: number;
}

/**
 * Scores image rows `first .. first+rows-1` against every caption:
 * `rows × count` similarities, row-major.
 */
export type ScoreRows = (first: number, rows: number) => Float32Array;

export interface RetrievalRecallOptions {
  /**
   * Cut-offs k.
   * @default [1, 5, 10]
   */
  ks?: readonly number[];
  /**
   * Computes blocks of the similarity matrix (e.g. on the tfjs backend).
   * @default plain TypeScript dot products
   */
  scoreRows?: ScoreRows;
}

/** Most similarity values held at once (64 MB). */
const maxBlockValues = 1 << 24;

/**
 * A distractor scoring within this of the true pair counts as a tie, and a
 * tie does not push the true pair down. The true pair's score is computed
 * apart from the matrix blocks, so an exact duplicate (the same caption
 * twice) differs from it only by rounding, which must not decide its rank.
 */
export const tieTolerance = 1e-5;

/**
 * Image→text and text→image recall@k over `count` pairs, where pair i is
 * (image row i, text row i) and every other row is a distractor (the whole
 * split, not a batch). The n×n similarity matrix is never held: it is
 * computed a block of image rows at a time (at most 16M values) and only the
 * ranks of the true pairs are kept.
 */
export function retrievalRecall(
  imageEmbeddings: Float32Array,
  textEmbeddings: Float32Array,
  count: number,
  options: RetrievalRecallOptions = {},
): RecallAtK[] {
  const ks = options.ks ?? [1, 5, 10];
  if (count === 0) return ks.map((k) => ({ k, imageToText: 0, textToImage: 0 }));
  if (textEmbeddings.length !== imageEmbeddings.length) throw new Error('image and text embeddings differ in shape');
  const dim = imageEmbeddings.length / count;
  const scoreRows = options.scoreRows ?? plainScoreRows(imageEmbeddings, textEmbeddings, dim);
  const truePairScore = new Float64Array(count);
  for (let i = 0; i < count; i++) truePairScore[i] = dot(imageEmbeddings, i * dim, textEmbeddings, i * dim, dim) + tieTolerance;

  const imageRank = new Int32Array(count);
  const textRank = new Int32Array(count);
  const blockRows = Math.max(1, Math.min(count, Math.floor(maxBlockValues / count)));
  for (let first = 0; first < count; first += blockRows) {
    const rows = Math.min(blockRows, count - first);
    const scores = scoreRows(first, rows);
    for (let r = 0; r < rows; r++) {
      const i = first + r;
      const threshold = truePairScore[i]!;
      const offset = r * count;
      let rank = 0;
      for (let j = 0; j < count; j++) {
        const score = scores[offset + j]!;
        if (score > threshold) rank++;
        if (score > truePairScore[j]!) textRank[j]!++;
      }
      imageRank[i] = rank;
    }
  }
  return ks.map((k) => ({ k, imageToText: fractionBelow(imageRank, k), textToImage: fractionBelow(textRank, k) }));
}

/** Similarities by dot products in TypeScript, four image rows per pass over a caption. */
export function plainScoreRows(images: Float32Array, texts: Float32Array, dim: number): ScoreRows {
  const count = texts.length / dim;
  return (first, rows) => {
    const out = new Float32Array(rows * count);
    for (let r = 0; r < rows; r += 4) {
      const n = Math.min(4, rows - r);
      for (let j = 0; j < count; j++) {
        if (n === 4) dot4(images, (first + r) * dim, texts, j * dim, dim, out, r * count + j, count);
        else for (let q = 0; q < n; q++) out[(r + q) * count + j] = dot(images, (first + r + q) * dim, texts, j * dim, dim);
      }
    }
    return out;
  };
}

/** Four consecutive image rows against one caption, written down a column of `out`. */
function dot4(
  images: Float32Array,
  a: number,
  texts: Float32Array,
  t: number,
  dim: number,
  out: Float32Array,
  at: number,
  stride: number,
): void {
  const b = a + dim;
  const c = b + dim;
  const d = c + dim;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < dim; k++) {
    const x = texts[t + k]!;
    s0 += images[a + k]! * x;
    s1 += images[b + k]! * x;
    s2 += images[c + k]! * x;
    s3 += images[d + k]! * x;
  }
  out[at] = s0;
  out[at + stride] = s1;
  out[at + 2 * stride] = s2;
  out[at + 3 * stride] = s3;
}

function fractionBelow(ranks: Int32Array, k: number): number {
  let hits = 0;
  for (const rank of ranks) if (rank < k) hits++;
  return hits / ranks.length;
}
