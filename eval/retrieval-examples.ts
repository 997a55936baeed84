import { dot } from './embeddings.js';
import { tieTolerance } from './recall.js';

/** One caption of a retrieval eval and the images it ranked first among all images of the split. */
export interface RetrievalExample {
  caption: string;
  /** Its own image, `<shard file>:<sample key>`. */
  sample: string;
  /** Where its own image ranked; 0 is first. */
  rank: number;
  /** The images ranked first, best first, each with its own caption and cosine similarity. */
  top: Array<{ sample: string; caption: string; score: number }>;
}

/** The pairs retrieval ranked: row i of the embeddings is sample `samples[i]`, caption `captions[i]`. */
export interface RankedPairs {
  images: Float32Array;
  texts: Float32Array;
  samples: readonly string[];
  captions: readonly string[];
}

/**
 * Text→image retrieval for `count` captions spread evenly over the split (not
 * the best ones: a fair look at what the figures mean), each with its `topCount`
 * best images. A distractor within `tieTolerance` of the own image ranks after
 * it, as in `retrievalRecall`.
 */
export function retrievalExamples(pairs: RankedPairs, count = 6, topCount = 5): RetrievalExample[] {
  const n = pairs.samples.length;
  if (n === 0) return [];
  const dim = pairs.images.length / n;
  const picked = [...new Set(Array.from({ length: Math.min(count, n) }, (_, i) => Math.floor(((i + 0.5) * n) / Math.min(count, n))))];
  return picked.map((t) => {
    const scores = Float64Array.from({ length: n }, (_, j) => dot(pairs.texts, t * dim, pairs.images, j * dim, dim));
    const own = scores[t]! + tieTolerance;
    const byScore = (j: number) => (j === t ? own : scores[j]!);
    let rank = 0;
    for (let j = 0; j < n; j++) if (byScore(j) > own) rank++;
    const top = [...scores.keys()].sort((a, b) => byScore(b) - byScore(a) || a - b).slice(0, topCount);
    return {
      caption: pairs.captions[t]!,
      sample: pairs.samples[t]!,
      rank,
      top: top.map((j) => ({ sample: pairs.samples[j]!, caption: pairs.captions[j]!, score: scores[j]! })),
    };
  });
}
