import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { fetchImages, processImage } from '../../crawler/index.js';
import { openDb } from '../../db/index.js';
import { loadCorpus, type CorpusImage } from './corpus.js';
import { imageVariant } from './variant.js';

/**
 * `node dist/bench/fetch/main.js [--count 10000] [--sharp-count 1000] [--decode-concurrency N] [--sweep]`
 *
 * Prints, in one run: images/s of sharp alone (processImage = decode, resize,
 * JPEG encode, sha256, pHash on in-memory bytes; measured before and after),
 * images/s of fetchImages end to end (loopback HTTP server in a child
 * process, polite fetcher, SQLite rows, store writes) with the same number of
 * decode workers, their ratio (target >= 0.85), and RSS every 1,000 images.
 * `--sweep` first compares decode concurrency 1-4 on the libuv pool and
 * worker_threads.
 */
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** What one timed phase did: images, wall seconds, and CPU seconds of this process (all threads). */
interface Measured {
  images: number;
  wallSecs: number;
  cpuSecs: number;
}

async function measured(images: number, work: () => Promise<unknown>): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { images, wallSecs: (performance.now() - started) / 1000, cpuSecs: (used.user + used.system) / 1e6 };
}

function rates(m: Measured): string {
  return `${(m.images / m.wallSecs).toFixed(1)} images/s (wall), ${(m.images / m.cpuSecs).toFixed(1)} images per CPU-second`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const count = args.count ?? 10_000;
  const sharpCount = args['sharp-count'] ?? 1000;
  const decodeConcurrency = args['decode-concurrency'] ?? availableParallelism();
  console.log(
    `bench fetch · ${new Date().toISOString()} · ${availableParallelism()} cores · load ${load()} · sharp ${sharp.versions.sharp} (vips ${sharp.versions.vips}), ` +
      `sharp.concurrency ${sharp.concurrency()}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
  );
  const corpus = await loadCorpus();
  const corpusMb = corpus.reduce((sum, image) => sum + image.bytes.length, 0) / 1e6;
  console.log(`corpus: ${corpus.length} images (openmoji art 0.3-2 MP as JPEG/PNG + Debian PNGs), ${corpusMb.toFixed(1)} MB, mean ${((corpusMb * 1000) / corpus.length).toFixed(0)} KB`);

  if (args.sweep !== undefined) await sweep(corpus);

  const before = await measured(sharpCount, () => sharpAlone(corpus, 0, sharpCount, decodeConcurrency));
  console.log(`sharp alone (before): ${rates(before)}; ${decodeConcurrency} at once, ${sharpCount} images · load ${load()}`);
  const fetched = await fetchEndToEnd(corpus, count, decodeConcurrency);
  const after = await measured(sharpCount, () => sharpAlone(corpus, sharpCount, sharpCount, decodeConcurrency));
  console.log(`sharp alone (after):  ${rates(after)} · load ${load()}`);

  const sharpWall = (before.images + after.images) / (before.wallSecs + after.wallSecs);
  const sharpCpu = (before.images + after.images) / (before.cpuSecs + after.cpuSecs);
  const fetchWall = fetched.images / fetched.wallSecs;
  const fetchCpu = fetched.images / fetched.cpuSecs;
  console.log(`\nRESULT (${decodeConcurrency} decode workers, target >= 85%) · load ${load()}`);
  console.log(`  wall: wit fetch ${fetchWall.toFixed(1)} images/s vs sharp alone ${sharpWall.toFixed(1)} images/s = ${((100 * fetchWall) / sharpWall).toFixed(0)}%`);
  console.log(`  CPU:  wit fetch ${fetchCpu.toFixed(1)} vs sharp alone ${sharpCpu.toFixed(1)} images per CPU-second = ${((100 * fetchCpu) / sharpCpu).toFixed(0)}% (load-independent: the fetcher's overhead per image)`);
}

/** processImage over corpus variants `from .. from+n`, `concurrency` at once on the libuv pool. */
async function sharpAlone(images: CorpusImage[], from: number, n: number, concurrency: number): Promise<void> {
  let next = from;
  const lane = async () => {
    while (next < from + n) {
      const k = next++;
      await processImage(imageVariant(images[k % images.length]!.bytes, k)).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** The same work in `workers` worker threads (one image at a time each). */
async function workerThreads(images: CorpusImage[], from: number, n: number, workers: number): Promise<void> {
  const script = fileURLToPath(new URL('./decode-worker.js', import.meta.url));
  const pool = Array.from({ length: workers }, () => new Worker(script));
  let next = from;
  await Promise.all(
    pool.map(async (worker) => {
      while (next < from + n) {
        const k = next++;
        worker.postMessage(imageVariant(images[k % images.length]!.bytes, k));
        await once(worker, 'message');
      }
    }),
  );
  await Promise.all(pool.map((worker) => worker.terminate()));
}

async function sweep(images: CorpusImage[]): Promise<void> {
  const n = 400;
  console.log(`\nsweep (${n} images each):`);
  for (const concurrency of [1, 2, 3, 4]) {
    const m = await measured(n, () => sharpAlone(images, 0, n, concurrency));
    console.log(`  libuv pool, ${concurrency} at once, sharp.concurrency ${sharp.concurrency()}: ${rates(m)} · load ${load()}`);
  }
  const vipsThreads = sharp.concurrency();
  sharp.concurrency(availableParallelism());
  const wide = await measured(n, () => sharpAlone(images, 0, n, 1));
  console.log(`  libuv pool, 1 at once, sharp.concurrency ${sharp.concurrency()}: ${rates(wide)} · load ${load()}`);
  sharp.concurrency(vipsThreads);
  for (const workers of [2, 3]) {
    // Worker threads' CPU counts in this process's cpuUsage too.
    const m = await measured(n, () => workerThreads(images, 0, n, workers));
    console.log(`  worker_threads x${workers}: ${rates(m)} · load ${load()}`);
  }
  console.log('');
}

async function fetchEndToEnd(images: CorpusImage[], n: number, concurrency: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'wit-bench-fetch-'));
  const server = fork(fileURLToPath(new URL('./server.js', import.meta.url)), [], { stdio: 'inherit' });
  try {
    const [{ port }] = (await once(server, 'message')) as [{ port: number }];
    const db = openDb(join(dir, 'wit.db'));
    const queryId = db.prepare("INSERT INTO queries (text, origin) VALUES ('bench', 'user')").run().lastInsertRowid;
    const insert = db.prepare("INSERT INTO pairs (image_url, text, text_origin, query_id) VALUES (?, ?, 'alt', ?)");
    db.transaction(() => {
      for (let k = 0; k < n; k++) insert.run(`http://127.0.0.1:${port}/i/${k}`, `image ${k}`, queryId);
    })();
    console.log(`\nwit fetch: ${n} images from a loopback server (${images.length} corpus files, each URL distinct bytes), ${concurrency} decode workers`);
    const memory = new RssLog(1000);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const summary = await fetchImages(db, {
      imagesDir: join(dir, 'images'),
      decodeConcurrency: concurrency,
      fetcher: { allowPrivate: true, concurrency: 32, perHost: 32, hostDelayMillis: 0 },
      onProgress: (update) => memory.observe(update.done, started),
    });
    const secs = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    memory.print();
    console.log(
      `  ${summary.ok} ok, ${summary.failed} failed${summary.failures.length ? ` (${summary.failures.map(([r, c]) => `${r} ${c}`).join(', ')})` : ''}, ` +
        `${(summary.downloadedBytes / 1e6 / secs).toFixed(1)} MB/s, ${secs.toFixed(1)} s · load ${load()}`,
    );
    db.close();
    const result = { images: n, wallSecs: secs, cpuSecs: (used.user + used.system) / 1e6 };
    console.log(`  ${rates(result)}`);
    return result;
  } finally {
    server.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** RSS every `every` images, to show memory stays flat. */
class RssLog {
  private readonly lines: string[] = [];
  private nextAt: number;

  constructor(private readonly every: number) {
    this.nextAt = every;
  }

  observe(done: number, startedAt: number): void {
    if (done < this.nextAt) return;
    this.nextAt += this.every;
    const { rss, heapUsed, external } = process.memoryUsage();
    const secs = (performance.now() - startedAt) / 1000;
    const line = `  ${String(done).padStart(6)} images  ${(done / secs).toFixed(1)} images/s  rss ${(rss / 2 ** 20).toFixed(0)} MiB  heap ${(heapUsed / 2 ** 20).toFixed(0)} MiB  external ${(external / 2 ** 20).toFixed(0)} MiB`;
    this.lines.push(line);
    console.log(line);
  }

  print(): void {
    if (this.lines.length === 0) console.log('  (fewer images than one RSS interval)');
  }
}

function parseArgs(argv: string[]): Record<string, number | undefined> {
  const parsed: Record<string, number | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!flag.startsWith('--')) throw new Error(`bench fetch: unexpected argument ${flag}`);
    const value = argv[i + 1];
    if (value !== undefined && !value.startsWith('--')) {
      parsed[flag.slice(2)] = Number(value);
      i++;
    } else parsed[flag.slice(2)] = 1;
  }
  return parsed;
}

await main();
