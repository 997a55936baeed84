import { hashWords, uniformOf } from './seeded-hash.js';

/** How a query with more than `cap` pairs is cut down. */
export type BalanceMode = 'cap' | 'sample';

/**
 * Per-query balancing after dedupe. Returns the rows dropped (`query_cap`).
 * `cap`: a query with n > cap pairs keeps exactly cap, those with the smallest
 * seeded hash of their pair id (a uniform sample without replacement).
 * `sample`: MetaCLIP's rule, each pair of such a query is kept with
 * probability cap / n, decided by the seeded hash (so about cap are kept).
 */
export function balancePerQuery(
  keptRows: readonly number[],
  queryOf: (row: number) => number,
  pairIdOf: (row: number) => number,
  cap: number,
  mode: BalanceMode,
  seed: number,
): number[] {
  const byQuery = new Map<number, number[]>();
  for (const row of keptRows) {
    const query = queryOf(row);
    const rows = byQuery.get(query);
    if (rows) rows.push(row);
    else byQuery.set(query, [row]);
  }
  const dropped: number[] = [];
  for (const rows of byQuery.values()) {
    if (rows.length <= cap) continue;
    if (mode === 'sample') {
      const keep = cap / rows.length;
      for (const row of rows) if (uniformOf(seed, pairIdOf(row)) >= keep) dropped.push(row);
    } else {
      const ranked = rows.map((row) => ({ row, rank: hashWords(seed, pairIdOf(row)), id: pairIdOf(row) }));
      ranked.sort((a, b) => a.rank - b.rank || a.id - b.id);
      for (const { row } of ranked.slice(cap)) dropped.push(row);
    }
  }
  return dropped;
}
