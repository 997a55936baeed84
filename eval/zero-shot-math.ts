import { dotRows, normalizeRows } from './embeddings.js';

/**
 * CLIP's prompt ensemble: `promptEmbeddings` holds `classCount × templateCount`
 * rows, class-major (class c, template t at row c·T + t). Each prompt embedding
 * is L2-normalised, the class's prompts are averaged, and the mean is
 * L2-normalised again. Returns `classCount × dim`.
 */
export function ensembleClassEmbeddings(promptEmbeddings: Float32Array, classCount: number, templateCount: number): Float32Array {
  const dim = promptEmbeddings.length / (classCount * templateCount);
  if (!Number.isInteger(dim)) throw new Error(`${promptEmbeddings.length} values are not ${classCount}×${templateCount} prompt embeddings`);
  const prompts = normalizeRows(Float32Array.from(promptEmbeddings), dim);
  const classes = new Float32Array(classCount * dim);
  for (let c = 0; c < classCount; c++) {
    for (let t = 0; t < templateCount; t++) {
      const from = (c * templateCount + t) * dim;
      for (let k = 0; k < dim; k++) classes[c * dim + k]! += prompts[from + k]! / templateCount;
    }
  }
  return normalizeRows(classes, dim);
}

/** The prompts for every class, class-major: `template` with `{}` (or `{label}`) replaced by the name. */
export function classPrompts(classNames: readonly string[], templates: readonly string[]): string[] {
  return classNames.flatMap((name) => templates.map((template) => template.replace(/\{(label)?\}/g, () => name)));
}

/** Cosine similarity of every image to every class (both L2-normalised): `imageCount × classCount`. */
export function classSimilarities(imageEmbeddings: Float32Array, classEmbeddings: Float32Array, dim: number): Float32Array {
  return dotRows(imageEmbeddings, classEmbeddings, dim);
}

/**
 * The 0-based rank of the true class among `scores` (one row): the number of
 * classes that score higher, plus those that tie and come before it. Rank 0
 * is the argmax with ties to the lowest index, so top-1 and `argmax` agree.
 */
export function rankOfTrue(scores: Float32Array, rowOffset: number, classCount: number, trueClass: number): number {
  const target = scores[rowOffset + trueClass]!;
  let rank = 0;
  for (let c = 0; c < classCount; c++) {
    const score = scores[rowOffset + c]!;
    if (score > target || (score === target && c < trueClass)) rank++;
  }
  return rank;
}

export function argmax(scores: Float32Array, rowOffset: number, length: number): number {
  let best = 0;
  for (let c = 1; c < length; c++) if (scores[rowOffset + c]! > scores[rowOffset + best]!) best = c;
  return best;
}

/** Softmax of `logitScale · cosine` over each row of `similarities` (`rows × classCount`). */
export function softmaxRows(similarities: Float32Array, classCount: number, logitScale: number): Float32Array {
  const out = new Float32Array(similarities.length);
  for (let offset = 0; offset < similarities.length; offset += classCount) {
    let max = -Infinity;
    for (let c = 0; c < classCount; c++) max = Math.max(max, logitScale * similarities[offset + c]!);
    let sum = 0;
    for (let c = 0; c < classCount; c++) {
      const e = Math.exp(logitScale * similarities[offset + c]! - max);
      out[offset + c] = e;
      sum += e;
    }
    for (let c = 0; c < classCount; c++) out[offset + c] = out[offset + c]! / sum;
  }
  return out;
}

/** Accuracy figures of a classifier over labelled images. */
export interface ClassificationMetrics {
  /** Images scored. */
  count: number;
  /** Fraction whose true class is the argmax. */
  top1: number;
  /** Fraction whose true class is among the 5 best (all of them when there are 5 classes or fewer). */
  top5: number;
  /** Per class, in class order: fraction of its images predicted right; null when it has none. */
  perClassAccuracy: Array<number | null>;
  /** Mean of the per-class accuracies that are not null (balanced accuracy). */
  meanPerClassAccuracy: number;
  /** `confusion[true][predicted]`: image counts. */
  confusion: number[][];
}

/** Top-1, top-5, per-class accuracy and the confusion matrix of `scores` (`count × classCount`). */
export function classificationMetrics(scores: Float32Array, labels: ArrayLike<number>, classCount: number): ClassificationMetrics {
  const count = labels.length;
  const confusion = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  let top1 = 0;
  let top5 = 0;
  for (let i = 0; i < count; i++) {
    const offset = i * classCount;
    const label = labels[i]!;
    const rank = rankOfTrue(scores, offset, classCount, label);
    if (rank === 0) top1++;
    if (rank < 5) top5++;
    confusion[label]![argmax(scores, offset, classCount)]!++;
  }
  const perClassAccuracy = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? null : row[c]! / total;
  });
  const present = perClassAccuracy.filter((a): a is number => a !== null);
  return {
    count,
    top1: count === 0 ? 0 : top1 / count,
    top5: count === 0 ? 0 : top5 / count,
    perClassAccuracy,
    meanPerClassAccuracy: present.length === 0 ? 0 : present.reduce((a, b) => a + b, 0) / present.length,
    confusion,
  };
}
