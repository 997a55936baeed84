import { dot } from './embeddings.js';

/** Recall at one cut-off, both directions. */
export interface RecallAtK {
  k: number;
  /** Fraction of images whose own caption ranks in the top k of all captions. */
  imageToText: number;
  /** Fraction of captions whose own image ranks in the top k of all images. */
  textToImage: number;
}

/** How many image rows are scored against all captions at a time. */
const queryBlockRows = 4;

/**
 * Image→text and text→image recall@k over `count` pairs, where pair i is
 * (image row i, text row i) and every other row is a distractor (the whole
 * split, not a batch). The similarity matrix is never held: each block of
 * image rows is scored against every caption and only the ranks of the true
 * pairs are kept, so memory is the embeddings plus two counts per pair.
 * A distractor that ties with the true pair does not push it down.
 */
export function retrievalRecall(
  imageEmbeddings: Float32Array,
  textEmbeddings: Float32Array,
  count: number,
  ks: readonly number[] = [1, 5, 10],
): RecallAtK[] {
  if (count === 0) return ks.map((k) => ({ k, imageToText: 0, textToImage: 0 }));
  const dim = imageEmbeddings.length / count;
  if (textEmbeddings.length !== imageEmbeddings.length) throw new Error('image and text embeddings differ in shape');
  const truePairScore = new Float32Array(count);
  for (let i = 0; i < count; i++) truePairScore[i] = dot(imageEmbeddings, i * dim, textEmbeddings, i * dim, dim);

  const imageRank = new Int32Array(count);
  const textRank = new Int32Array(count);
  const scores = new Float64Array(queryBlockRows);
  for (let first = 0; first < count; first += queryBlockRows) {
    const rows = Math.min(queryBlockRows, count - first);
    for (let j = 0; j < count; j++) {
      scoreBlock(imageEmbeddings, first, rows, textEmbeddings, j, dim, scores);
      for (let r = 0; r < rows; r++) {
        const i = first + r;
        if (i === j) continue;
        const score = Math.fround(scores[r]!);
        if (score > truePairScore[i]!) imageRank[i]!++;
        if (score > truePairScore[j]!) textRank[j]!++;
      }
    }
  }
  return ks.map((k) => ({ k, imageToText: fractionBelow(imageRank, k), textToImage: fractionBelow(textRank, k) }));
}

/** Dot products of image rows first..first+rows-1 with text row j, one pass over the text row. */
function scoreBlock(
  images: Float32Array,
  first: number,
  rows: number,
  texts: Float32Array,
  j: number,
  dim: number,
  out: Float64Array,
): void {
  if (rows < queryBlockRows) {
    for (let r = 0; r < rows; r++) out[r] = dot(images, (first + r) * dim, texts, j * dim, dim);
    return;
  }
  const a = first * dim;
  const b = a + dim;
  const c = b + dim;
  const d = c + dim;
  const t = j * dim;
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
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

function fractionBelow(ranks: Int32Array, k: number): number {
  let hits = 0;
  for (const rank of ranks) if (rank < k) hits++;
  return hits / ranks.length;
}
