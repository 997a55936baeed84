/** One classified eval image, as the report shows it. */
export interface ZeroShotExample {
  /** The image file (absolute). */
  path: string;
  trueClass: number;
  /** The best classes, best first: class index and cosine similarity. */
  top: Array<[classIndex: number, score: number]>;
}

/**
 * A few images the classifier got right and a few it got wrong, the most
 * confident of each first (a confident mistake says the most about the model).
 */
export function zeroShotExamples(
  scores: Float32Array,
  labels: ArrayLike<number>,
  paths: readonly string[],
  classCount: number,
  perKind = 8,
  topCount = 3,
): ZeroShotExample[] {
  const all = paths.map((path, i) => {
    const row = scores.subarray(i * classCount, (i + 1) * classCount);
    const top = [...row.keys()]
      .sort((a, b) => row[b]! - row[a]! || a - b)
      .slice(0, topCount)
      .map((c): [number, number] => [c, row[c]!]);
    return { path, trueClass: labels[i]!, top };
  });
  const byConfidence = (list: ZeroShotExample[]) => list.sort((a, b) => b.top[0]![1] - a.top[0]![1]).slice(0, perKind);
  const right = all.filter((e) => e.top[0]![0] === e.trueClass);
  const wrong = all.filter((e) => e.top[0]![0] !== e.trueClass);
  return [...byConfidence(right), ...byConfidence(wrong)];
}
