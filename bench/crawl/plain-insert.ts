import type { PairCandidate } from '../../crawler/index.js';
import type { WitDb } from '../../db/index.js';

// What the crawl benches share: timing with CPU time and the plain-INSERT
// floor that storing pairs is measured against.

export interface Rate {
  wallPerSec: number;
  /** Per second of this process's CPU time: what an idle core would give, whatever the machine's load. */
  cpuPerSec: number;
}

export function timed(count: number, work: () => void): Rate {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  work();
  return rateSince(count, cpuBefore, started);
}

export async function timedAsync(count: number, work: () => Promise<unknown>): Promise<Rate> {
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await work();
  return rateSince(count, cpuBefore, started);
}

function rateSince(count: number, cpuBefore: NodeJS.CpuUsage, started: bigint): Rate {
  const wallSecs = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallPerSec: count / wallSecs, cpuPerSec: count / ((cpu.user + cpu.system) / 1e6) };
}

export const formatRate = (rate: Rate, unit = 'pairs') =>
  `${Math.round(rate.wallPerSec).toLocaleString('en-US')} ${unit}/s wall, ${Math.round(rate.cpuPerSec).toLocaleString('en-US')} ${unit} per CPU-second`;

/**
 * Inserts `count` pairs with a plain INSERT and no cap check, `batchSize` a
 * transaction, each against the query `queryIdOf(i)`: the floor the cap
 * check and the sources are measured against.
 */
export function plainInsert(
  db: WitDb,
  count: number,
  pairOf: (i: number) => PairCandidate,
  queryIdOf: (i: number) => number,
  batchSize = 10_000,
): Rate {
  const insert = db.prepare(
    'INSERT INTO pairs (image_url, text, text_origin, page_url, query_id, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const batch = db.transaction((start: number) => {
    const now = new Date().toISOString();
    for (let i = start; i < Math.min(count, start + batchSize); i++) {
      const pair = pairOf(i);
      insert.run(pair.imageUrl, pair.text, pair.textOrigin, pair.pageUrl, queryIdOf(i), now);
    }
  });
  return timed(count, () => {
    for (let start = 0; start < count; start += batchSize) batch(start);
  });
}
