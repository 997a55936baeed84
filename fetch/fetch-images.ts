import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import {
  countImages,
  enqueuePairImages,
  findStoredImage,
  pendingImages,
  resetFailedImages,
  type StoredImage,
  type WitDb,
  writeMeta,
} from '../db/index.js';
import { mostWorkers, ReasonCounter, resolveOptions, type GivenOptions, type ProgressSink, type ResolvedOptions } from '../core/index.js';
import { FetchFailure, fetcherFor, type FetcherChoice, type PoliteFetcher } from '../crawler/index.js';
import { withHeapBallast } from './heap-ballast.js';
import { ImageFailure } from './image-failure.js';
import { ImageOutcomes } from './image-outcomes.js';
import { ImageStore } from './image-store.js';
import { fetchImagesOptions } from './options.js';
import { processHashedImage, resolveProcessOptions, sha256Hex, type ProcessImageOptions } from './process-image.js';

/** Where the images go, the fetcher and the hooks; the settings are declared in options.ts. */
export interface FetchImagesOptions extends ProcessImageOptions, GivenOptions<typeof fetchImagesOptions.entries> {
  /** Root of the content-addressed image store: `DIR/ab/cd/<sha256>.jpg`. */
  imagesDir: string;
  /**
   * The polite fetcher's settings: concurrency (in-flight downloads), per-host limits, timeouts, retries;
   * or a `PoliteFetcher` shared with a crawl running at the same time (`crawl --fetch`), left open.
   */
  fetcher?: FetcherChoice;
  /** Called after every image with the counts so far. */
  onProgress?: ProgressSink;
  /** Stops taking new images; images in flight are left pending. */
  signal?: AbortSignal;
}

export interface FetchImagesSummary {
  /** Pending rows added from `pairs` this run. */
  enqueued: number;
  /** Failed rows put back to pending by `retryFailed`. */
  retried: number;
  /** Temp files of killed runs deleted from the store. */
  staleTempsRemoved: number;
  ok: number;
  /** Of `ok`: bytes already stored under another URL, so not decoded again. */
  reused: number;
  failed: number;
  /** Failure reasons of this run, most frequent first. */
  failures: Array<[reason: string, count: number]>;
  downloadedBytes: number;
  elapsedSecs: number;
  /** Rows still pending (stopped early, or aborted in flight). */
  pendingLeft: number;
}

const pageSize = 512;

/** `decodeConcurrency` when unset (see options.ts). */
export function defaultDecodeConcurrency(): number {
  return Math.min(mostWorkers, 2 * libuvThreads());
}

/** The threads libuv's pool starts with: UV_THREADPOOL_SIZE read as libuv reads it (atoi, 1 to 1024), 4 when unset. */
function libuvThreads(): number {
  const given = process.env.UV_THREADPOOL_SIZE;
  if (given === undefined) return 4;
  return Math.min(1024, Math.max(1, Number.parseInt(given, 10) || 0));
}

/**
 * `wit fetch`: downloads every pending image once through the polite fetcher,
 * validates it by decoding (`processImage`), stores the resized JPEG in the
 * content-addressed store and records the outcome in its row: `ok` with
 * hashes and sizes, or `failed` with a reason. Safe to kill at any point and
 * run again: stored images are never fetched again, stale temps are deleted.
 */
export async function fetchImages(db: WitDb, options: FetchImagesOptions): Promise<FetchImagesSummary> {
  const startedAt = Date.now();
  const given = resolveOptions(fetchImagesOptions, options);
  const settings = {
    ...given,
    decodeConcurrency: given.decodeConcurrency ?? defaultDecodeConcurrency(),
    processing: resolveProcessOptions(options),
  };
  const store = new ImageStore(options.imagesDir);
  const staleTempsRemoved = store.prepare();
  const retried = settings.retryFailed ? resetFailedImages(db, settings.retryReason) : 0;
  const enqueued = enqueuePairImages(db);
  const { fetcher, owned } = fetcherFor(options.fetcher, db);
  writeMeta(db, 'fetch.config', { imagesDir: options.imagesDir, ...settings, fetcher: fetcher.settings });
  const run = new FetchRun(db, store, fetcher, options, settings, countImages(db, 'pending'));
  try {
    await withHeapBallast(() => run.drain());
  } finally {
    if (owned) await fetcher.close();
  }
  return {
    enqueued,
    retried,
    staleTempsRemoved,
    ...run.counts(),
    elapsedSecs: (Date.now() - startedAt) / 1000,
    pendingLeft: countImages(db, 'pending'),
  };
}

type FetchSettings = ResolvedOptions<typeof fetchImagesOptions.entries> & {
  decodeConcurrency: number;
  processing: Required<ProcessImageOptions>;
};

/** One `fetchImages` call: the queues, the counters and the per-image step. */
class FetchRun {
  private readonly downloads: PQueue;
  private readonly decodes: PQueue;
  private readonly settings: Required<ProcessImageOptions>;
  private readonly maxImageBytes: number;
  private readonly reasons = new ReasonCounter();
  /** Decodes in progress by sha256, so that identical bytes from two URLs are decoded once. */
  private readonly inFlight = new Map<string, Promise<StoredImage>>();
  private readonly stop = new AbortController();
  private readonly outcomes: ImageOutcomes;
  private fatal: unknown;
  private ok = 0;
  private reused = 0;
  private downloadedBytes = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly db: WitDb,
    private readonly store: ImageStore,
    private readonly fetcher: PoliteFetcher,
    private readonly options: FetchImagesOptions,
    { decodeConcurrency, maxImageBytes, processing }: FetchSettings,
    private readonly total: number,
  ) {
    this.downloads = new PQueue({ concurrency: fetcher.settings.concurrency });
    this.decodes = new PQueue({ concurrency: decodeConcurrency });
    this.settings = processing;
    this.maxImageBytes = maxImageBytes;
    this.outcomes = new ImageOutcomes(db, (error) => this.fail(error));
    // Every download in flight listens to the stop signal.
    setMaxListeners(this.downloads.concurrency + 16, this.stop.signal);
    options.signal?.addEventListener('abort', () => this.stop.abort(), { once: true });
  }

  /** Feeds pending rows to the download queue in id order until none are left or the run is stopped. */
  async drain(): Promise<void> {
    let afterId = 0;
    while (!this.stop.signal.aborted) {
      const batch = pendingImages(this.db, afterId, pageSize);
      if (batch.length === 0) break;
      for (const row of batch) {
        await this.downloads.onSizeLessThan(this.downloads.concurrency);
        if (this.stop.signal.aborted) break;
        this.downloads.add(() => this.fetchOne(row.id, row.url)).catch((error: unknown) => this.fail(error));
      }
      afterId = batch[batch.length - 1]!.id;
    }
    await this.downloads.onIdle();
    // The outcomes of the images done are written even when the run stopped on a fatal error.
    try {
      this.outcomes.write();
    } catch (error) {
      this.fail(error);
    }
    if (this.fatal !== undefined) throw this.fatal;
  }

  counts(): Pick<FetchImagesSummary, 'ok' | 'reused' | 'failed' | 'failures' | 'downloadedBytes'> {
    return {
      ok: this.ok,
      reused: this.reused,
      failed: this.reasons.total,
      failures: this.reasons.top(10),
      downloadedBytes: this.downloadedBytes,
    };
  }

  /** A failure that is not about one image (disk full, a bug): stop the run and report it. */
  private fail(error: unknown): void {
    this.fatal ??= error;
    this.stop.abort();
  }

  private async fetchOne(id: number, url: string): Promise<void> {
    if (this.stop.signal.aborted) return;
    let httpStatus: number | undefined;
    try {
      const resource = await this.fetcher.fetch(url, {
        purpose: 'image',
        maxBytes: this.maxImageBytes,
        onTooLarge: 'fail',
        signal: this.stop.signal,
      });
      httpStatus = resource.status;
      this.downloadedBytes += resource.body.length;
      await this.storeBody(id, resource.body, resource.status);
    } catch (error) {
      if (error instanceof FetchFailure) this.recordFailure(id, error.reason, error.status, error.retryAfterSecs);
      else if (error instanceof ImageFailure) this.recordFailure(id, error.reason, httpStatus);
      else throw error;
    }
    this.report();
  }

  /**
   * Records the image for these bytes: reused from a row stored before or
   * from a decode of the same bytes in flight, else decoded and stored now.
   */
  private async storeBody(id: number, body: Buffer, httpStatus: number): Promise<void> {
    const sha256 = sha256Hex(body);
    let image = this.outcomes.unwrittenImage(sha256) ?? findStoredImage(this.db, sha256);
    let work = this.inFlight.get(sha256);
    if (image || work) this.reused++;
    if (!image) {
      if (!work) {
        work = this.decodeAndStore(body, sha256);
        this.inFlight.set(sha256, work);
        void work.finally(() => this.inFlight.delete(sha256)).catch(() => undefined);
      }
      image = await work;
    }
    this.outcomes.add({ id, httpStatus, image });
    this.ok++;
  }

  private async decodeAndStore(body: Buffer, sha256: string): Promise<StoredImage> {
    const image = await this.decodes.add(() => processHashedImage(body, sha256, this.settings));
    const path = this.store.put(sha256, image.jpeg);
    const { phash, width, height, format, bytes } = image;
    return { sha256, phash, width, height, format, bytes, path };
  }

  private recordFailure(id: number, reason: string, httpStatus: number | undefined, retryAfterSecs?: number): void {
    // Stopped mid-download: the row stays pending for the next run.
    if (reason === 'aborted') return;
    const nextTryAt = retryAfterSecs === undefined ? undefined : new Date(Date.now() + retryAfterSecs * 1000);
    this.outcomes.add({ id, failure: { reason, http_status: httpStatus, next_try_at: nextTryAt } });
    this.reasons.add(reason);
  }

  private report(): void {
    if (!this.options.onProgress) return;
    const elapsedSecs = Math.max(1e-3, (Date.now() - this.startedAt) / 1000);
    const counts: Record<string, number> = { ok: this.ok, failed: this.reasons.total };
    for (const [reason, count] of this.reasons.top(3)) counts[reason] = count;
    this.options.onProgress({
      done: this.ok + this.reasons.total,
      total: this.total,
      rates: { MB: this.downloadedBytes / 1e6 / elapsedSecs },
      counts,
    });
  }
}

/** The end-of-run lines: counts, rates, and the top failure reasons. */
export function formatFetchSummary(summary: FetchImagesSummary): string {
  const secs = Math.max(summary.elapsedSecs, 1e-3);
  const done = summary.ok + summary.failed;
  const lines = [
    `fetch: ${summary.ok} ok (${summary.reused} same bytes as an image already stored), ${summary.failed} failed, ${summary.pendingLeft} still pending`,
    `  ${(done / secs).toFixed(1)} images/s, ${Number((summary.downloadedBytes / 1e6 / secs).toPrecision(2))} MB/s, ${secs.toFixed(1)} s` +
      ` (${summary.enqueued} new from pairs, ${summary.retried} failed put back, ${summary.staleTempsRemoved} stale temp files deleted)`,
  ];
  if (summary.failures.length > 0) lines.push(`  failed by reason: ${summary.failures.map(([reason, n]) => `${reason} ${n}`).join(', ')}`);
  return lines.join('\n');
}
