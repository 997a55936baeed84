/** A confusion matrix cut down to the classes that take part in the most mistakes. */
export interface ConfusionView {
  labels: string[];
  matrix: number[][];
  /** Classes in the whole matrix. */
  classes: number;
}

/**
 * The `limit` classes with the most off-diagonal counts (as true class and as
 * prediction together), in their original order; all of them when there are
 * no more than `limit`. A 70×70 matrix has unreadable labels; the classes
 * that are never confused tell nothing there.
 */
export function mostConfused(labels: readonly string[], matrix: readonly number[][], limit: number): ConfusionView {
  const n = labels.length;
  if (n <= limit) return { labels: [...labels], matrix: matrix.map((row) => [...row]), classes: n };
  const mistakes = new Array<number>(n).fill(0);
  matrix.forEach((row, i) =>
    row.forEach((count, j) => {
      if (i === j) return;
      mistakes[i]! += count;
      mistakes[j]! += count;
    }),
  );
  const kept = [...mistakes.keys()]
    .sort((a, b) => mistakes[b]! - mistakes[a]! || a - b)
    .slice(0, limit)
    .sort((a, b) => a - b);
  return { labels: kept.map((i) => labels[i]!), matrix: kept.map((i) => kept.map((j) => matrix[i]![j]!)), classes: n };
}
