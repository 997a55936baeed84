import type { WitDb } from '../../db/index.js';
import { fetchImages, type FetchImagesOptions, type FetchImagesSummary } from './fetch-images.js';

/** Pause between fetch rounds while the crawl has produced no new image URLs. */
const idleMillis = 2000;

/**
 * `wit crawl --fetch`: fetches images while `crawlDone` is pending, in rounds
 * (each round takes the pairs added since the last one), then one last round
 * once the crawl has ended, so every pair the crawl stored has its image tried.
 * Returns the rounds' summaries added up.
 */
export async function fetchWhileCrawling(
  db: WitDb,
  crawlDone: Promise<unknown>,
  options: FetchImagesOptions,
): Promise<FetchImagesSummary> {
  let crawling = true;
  const ended = crawlDone.then(
    () => (crawling = false),
    () => (crawling = false),
  );
  const rounds: FetchImagesSummary[] = [];
  while (crawling && !options.signal?.aborted) {
    const round = await fetchImages(db, options);
    rounds.push(round);
    if (round.enqueued === 0) await Promise.race([ended, sleep(idleMillis)]);
  }
  if (!options.signal?.aborted) rounds.push(await fetchImages(db, options));
  return addUp(rounds);
}

function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}

function addUp(rounds: readonly FetchImagesSummary[]): FetchImagesSummary {
  const failures = new Map<string, number>();
  for (const round of rounds) for (const [reason, count] of round.failures) failures.set(reason, (failures.get(reason) ?? 0) + count);
  const sum = (pick: (round: FetchImagesSummary) => number) => rounds.reduce((total, round) => total + pick(round), 0);
  return {
    enqueued: sum((r) => r.enqueued),
    retried: sum((r) => r.retried),
    staleTempsRemoved: sum((r) => r.staleTempsRemoved),
    ok: sum((r) => r.ok),
    reused: sum((r) => r.reused),
    failed: sum((r) => r.failed),
    failures: [...failures.entries()].sort((a, b) => b[1] - a[1]),
    downloadedBytes: sum((r) => r.downloadedBytes),
    elapsedSecs: sum((r) => r.elapsedSecs),
    pendingLeft: rounds.at(-1)?.pendingLeft ?? 0,
  };
}
