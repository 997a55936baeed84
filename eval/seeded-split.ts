import { SeededRandom } from '../train/index.js';

/** A seeded generator of floats in [0, 1) (train/'s mulberry32). */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Splits item indices per class so each class keeps its share on both sides:
 * `round(fraction · n)` of a class's n items go to `held`, but at least one
 * (and never all) when the class has two or more. Seeded, so the same seed
 * gives the same split. Both lists come back in ascending index order.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  indices: readonly number[],
  fraction: number,
  random: () => number,
): { kept: number[]; held: number[] } {
  const byClass = new Map<number, number[]>();
  for (const index of indices) {
    const label = labels[index]!;
    const members = byClass.get(label) ?? [];
    members.push(index);
    byClass.set(label, members);
  }
  const kept: number[] = [];
  const held: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffleInPlace(byClass.get(label)!, random);
    const heldCount = members.length < 2 ? 0 : Math.min(members.length - 1, Math.max(1, Math.round(fraction * members.length)));
    held.push(...members.slice(0, heldCount));
    kept.push(...members.slice(heldCount));
  }
  return { kept: kept.sort((a, b) => a - b), held: held.sort((a, b) => a - b) };
}
