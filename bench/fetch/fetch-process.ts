import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDb, type WitDb } from '../../db/index.js';
import { fetchImages } from '../../fetch/index.js';
import { loadText } from '../machine-load.js';

/**
 * The bench's `wit fetch`, in a process of its own like the CLI's, so that
 * its heap, GC and RSS are not the bench's (two corpora and sharp alone's
 * buffers). Forked by main.ts, which sends a `FetchJob`; this process fetches
 * `warmUp` other URLs untimed, says `'warm'`, and on the next message fetches
 * the `count` timed ones (printing RSS every 1,000 images) and sends a
 * `FetchMeasured`.
 */
export interface FetchJob {
  port: number;
  count: number;
  warmUp: number;
  decodeConcurrency: number;
  dir: string;
}

export interface FetchMeasured {
  images: number;
  wallSecs: number;
  /** This process's CPU (all threads) during the timed fetch. */
  cpuSecs: number;
}

const fetcher = { allowPrivate: true, concurrency: 32, perHost: 32, hostDelayMillis: 0 };

/** A db in `dir` with one pair for each of the image URLs `/i/<from>` .. `/i/<from + n - 1>` of the server. */
function dbOfImages(dir: string, port: number, from: number, n: number): WitDb {
  mkdirSync(dir, { recursive: true });
  const db = openDb(join(dir, 'wit.db'));
  const queryId = db.prepare("INSERT INTO queries (text, origin) VALUES ('bench', 'user')").run().lastInsertRowid;
  const insert = db.prepare("INSERT INTO pairs (image_url, text, text_origin, query_id) VALUES (?, ?, 'alt', ?)");
  db.transaction(() => {
    for (let k = from; k < from + n; k++) insert.run(`http://127.0.0.1:${port}/i/${k}`, `image ${k}`, queryId);
  })();
  return db;
}

/**
 * The untimed fetch first, as a long fetch is after its first minute: the JIT
 * has compiled the per-image path (in wit and in the server) and V8's heap has
 * grown to its working size.
 */
async function warmUpFetch(job: FetchJob): Promise<void> {
  const dir = join(job.dir, 'warm-up');
  const db = dbOfImages(dir, job.port, job.count, job.warmUp);
  const started = performance.now();
  await fetchImages(db, { imagesDir: join(dir, 'images'), decodeConcurrency: job.decodeConcurrency, fetcher });
  db.close();
  console.log(`warm-up: wit fetch of ${job.warmUp} other URLs, untimed (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

async function timedFetch(job: FetchJob): Promise<FetchMeasured> {
  const dir = join(job.dir, 'timed');
  const db = dbOfImages(dir, job.port, 0, job.count);
  const memory = new RssLog(1000);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const summary = await fetchImages(db, {
    imagesDir: join(dir, 'images'),
    decodeConcurrency: job.decodeConcurrency,
    fetcher,
    onProgress: (update) => memory.observe(update.done, started),
  });
  const wallSecs = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  db.close();
  memory.print();
  const failures = summary.failures.length ? ` (${summary.failures.map(([reason, n]) => `${reason} ${n}`).join(', ')})` : '';
  console.log(
    `  ${summary.ok} ok, ${summary.failed} failed${failures}, ${(summary.downloadedBytes / 1e6 / wallSecs).toFixed(1)} MB/s, ` +
      `${wallSecs.toFixed(1)} s · load ${loadText()}`,
  );
  return { images: job.count, wallSecs, cpuSecs: (used.user + used.system) / 1e6 };
}

/** RSS every `every` images, to show memory stays flat. */
class RssLog {
  private lines = 0;
  private nextAt: number;

  constructor(private readonly every: number) {
    this.nextAt = every;
  }

  observe(done: number, startedAt: number): void {
    if (done < this.nextAt) return;
    this.nextAt += this.every;
    this.lines++;
    const { rss, heapUsed, external } = process.memoryUsage();
    const secs = (performance.now() - startedAt) / 1000;
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    console.log(
      `  ${String(done).padStart(6)} images  ${(done / secs).toFixed(1)} images/s  rss ${mib(rss)}  heap ${mib(heapUsed)}  external ${mib(external)}`,
    );
  }

  print(): void {
    if (this.lines === 0) console.log('  (fewer images than one RSS interval)');
  }
}

process.once('message', async (job: FetchJob) => {
  try {
    await warmUpFetch(job);
    process.send?.('warm');
    await once(process, 'message');
    process.send?.(await timedFetch(job));
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    process.disconnect();
  }
});
