import type { WitDb } from '../db/index.js';
import type { ProgressSink, ProgressUpdate } from '../core/index.js';
import { fetchImages, type FetchImagesOptions, type FetchImagesSummary } from './fetch-images.js';

/** Pause between fetch rounds while the crawl has produced no new image URLs. */
const idleMillis = 2000;

/**
 * `wit crawl --fetch`: fetches images while `crawlDone` is pending, in rounds
 * (each round takes the pairs added since the last one), then one last round
 * once the crawl has ended, so every pair the crawl stored has its image tried.
 * Returns the rounds' summaries added up; `onProgress` gets the counts of all
 * rounds so far (`total`: the images known so far).
 */
export async function fetchWhileCrawling(db: WitDb, crawlDone: Promise<unknown>, options: FetchImagesOptions): Promise<FetchImagesSummary> {
  let crawling = true;
  const ended = crawlDone.then(
    () => (crawling = false),
    () => (crawling = false),
  );
  const rounds: FetchImagesSummary[] = [];
  const nextRound = () =>
    fetchImages(db, { ...options, onProgress: (update) => options.onProgress?.(sinceFirstRound(addUp(rounds), update)) });
  while (crawling && !options.signal?.aborted) {
    const round = await nextRound();
    rounds.push(round);
    if (round.enqueued === 0) await Promise.race([ended, sleep(idleMillis)]);
  }
  if (!options.signal?.aborted) rounds.push(await nextRound());
  return addUp(rounds);
}

/** One round's update plus the rounds before it: done, total, ok and failed. */
function sinceFirstRound(before: FetchImagesSummary, update: ProgressUpdate): ProgressUpdate {
  const doneBefore = before.ok + before.failed;
  return {
    done: doneBefore + update.done,
    total: doneBefore + (update.total ?? update.done),
    counts: { ok: before.ok + (update.counts?.ok ?? 0), failed: before.failed + (update.counts?.failed ?? 0) },
  };
}

/**
 * The crawl's progress line with the image fetch's counts after `pairs`
 * (`images ok`, `images failed`, `images left`): one line for both, so that
 * two lines never fight over one terminal row.
 */
export function crawlAndFetchProgress(sink: ProgressSink): { crawl: ProgressSink; images: ProgressSink } {
  let crawl: ProgressUpdate = { done: 0 };
  let images: Record<string, number> = {};
  const show = () => {
    const { pairs, ...rest } = crawl.counts ?? {};
    sink({ ...crawl, counts: { ...(pairs === undefined ? {} : { pairs }), ...images, ...rest } });
  };
  return {
    crawl: (update) => {
      crawl = update;
      show();
    },
    images: (update) => {
      images = {
        'images ok': update.counts?.ok ?? 0,
        'images failed': update.counts?.failed ?? 0,
        'images left': (update.total ?? update.done) - update.done,
      };
      show();
    },
  };
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
