import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { processImage } from '../../fetch/index.js';
import { defaultDecodeConcurrency } from '../../fetch/fetch-images.js';
import { sha256Hex } from '../../fetch/process-image.js';
import { loadText, waitForQuietMachine } from '../machine-load.js';
import { loadCorpus, type CorpusImage } from './corpus.js';
import { nextMessage } from './child-message.js';
import { decodableImages } from './decodable.js';
import type { FetchJob, FetchMeasured } from './fetch-process.js';
import { loadSmallCorpus } from './small-corpus.js';
import { formatStageCosts, stageCosts } from './stages.js';
import { imageVariant } from './variant.js';

/** Where the small corpus's Debian packages are downloaded and unpacked (git-ignored). */
const smallCorpusDir = fileURLToPath(new URL('../../../bench/out/fetch-small-corpus', import.meta.url));

/** What one timed phase did: images, wall seconds, and CPU seconds of the process that did it (all threads). */
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

/**
 * `node dist/bench/fetch/main.js [--corpus small|large|both] [--count 3000] [--sharp-count 1000] [--stage-count 300] [--decode-concurrency N] [--sweep]`
 *
 * For each corpus (small: real Debian clip art, stamps and sample photos;
 * large: 0.3-2 MP photo-like JPEGs and PNGs), in one run: images/s of sharp
 * alone (the plainest pipeline: decode, resize to 256, JPEG q90, sha256; 8 in
 * flight; measured before and after, each on images spread over those wit
 * fetch downloads), images/s of fetchImages end to end after an untimed
 * warm-up fetch (loopback HTTP server in a child process, polite fetcher,
 * validation, pHash, SQLite rows, store writes), their ratio (target >= 85%),
 * CPU per image of both (target <= 1.2x) and of the image server, where an
 * image's time goes stage by stage, and RSS every 1,000 images. Each timed
 * phase waits for a quiet machine first. `--sweep` first compares decode
 * concurrency 1-4 on the libuv pool and worker_threads.
 */
async function main(): Promise<void> {
  const flags = parseArgs(process.argv.slice(2));
  const args: BenchSettings = {
    count: Number(flags.count ?? 3000),
    sharpCount: Number(flags['sharp-count'] ?? 1000),
    stageCount: Number(flags['stage-count'] ?? 300),
    decodeConcurrency: Number(flags['decode-concurrency'] ?? defaultDecodeConcurrency()),
    sweep: flags.sweep !== undefined,
  };
  const corpora: CorpusName[] = flags.corpus === undefined || flags.corpus === 'both' ? ['small', 'large'] : [flags.corpus as CorpusName];
  console.log(
    `bench fetch · ${new Date().toISOString()} · ${availableParallelism()} cores · load ${loadText()} · sharp ${sharp.versions.sharp} (vips ${sharp.versions.vips}), ` +
      `sharp.concurrency ${sharp.concurrency()}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
  );
  // Every store and db the bench writes stays until its end: right after thousands of files
  // are deleted, ext4 skips their inodes when new files are created, and perf showed that at
  // up to 7% of a timed fetch's CPU (__ext4_new_inode, recently_deleted) when the bench
  // deleted its stage table's store and the previous corpus's just before.
  const scratch = mkdtempSync(join(tmpdir(), 'wit-bench-fetch-'));
  try {
    const results: string[] = [];
    for (const name of corpora) results.push(await benchCorpus(name, args, join(scratch, name)));
    console.log(`\nRESULT (target: wit fetch >= 85% of sharp alone's images/s, CPU per image <= 1.2x) · load ${loadText()}`);
    console.log(results.join('\n'));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface BenchSettings {
  count: number;
  sharpCount: number;
  stageCount: number;
  decodeConcurrency: number;
  sweep: boolean;
}

/** One corpus: sharp alone, the stage table, wit fetch end to end, sharp alone again; returns its RESULT line. */
async function benchCorpus(name: CorpusName, settings: BenchSettings, dir: string): Promise<string> {
  const { count, sharpCount, stageCount, decodeConcurrency } = settings;
  const { kept: corpus, dropped } = await decodableImages(await loadNamedCorpus(name));
  const corpusMb = corpus.reduce((sum, image) => sum + image.bytes.length, 0) / 1e6;
  const droppedText = [...dropped].map(([reason, n]) => `${reason} ${n}`).join(', ') || 'none';
  console.log(
    `\n== ${name} corpus: ${corpus.length} files wit decodes (both sides decode these; dropped as wit refuses them: ${droppedText}), ` +
      `${corpusMb.toFixed(1)} MB, mean ${((corpusMb * 1000) / corpus.length).toFixed(0)} KB`,
  );
  if (settings.sweep) await sweep(corpus);
  await waitForQuietMachine('sharp alone (before)');
  const before = await measured(sharpCount, () => sharpAlone(corpus, spreadOver(count, sharpCount, 0), sharpInFlight));
  console.log(`sharp alone (before): ${rates(before)}; ${sharpInFlight} at once, ${sharpCount} images · load ${loadText()}`);
  const fetched = await withServer(name, async (server) => {
    console.log('where an image goes, each stage alone, one image at a time:');
    console.log(formatStageCosts(await stageCosts(corpus, Math.min(stageCount, count), server.port, join(dir, 'stages'))));
    return fetchEndToEnd(server, corpus.length, { count, warmUp: warmUpCount, decodeConcurrency, dir: join(dir, 'fetch') });
  });
  await waitForQuietMachine('sharp alone (after)');
  const after = await measured(sharpCount, () => sharpAlone(corpus, spreadOver(count, sharpCount, 0.5), sharpInFlight));
  console.log(`sharp alone (after):  ${rates(after)} · load ${loadText()}`);
  return compare(name, before, after, fetched, decodeConcurrency);
}

type CorpusName = 'small' | 'large';
const sharpInFlight = 8;
const warmUpCount = 500;

async function loadNamedCorpus(name: CorpusName): Promise<CorpusImage[]> {
  return name === 'small' ? loadSmallCorpus(smallCorpusDir, 2000) : loadCorpus();
}

function compare(name: CorpusName, before: Measured, after: Measured, fetched: Measured, decodeConcurrency: number): string {
  const sharpWall = (before.images + after.images) / (before.wallSecs + after.wallSecs);
  const sharpCpuPerImage = (before.cpuSecs + after.cpuSecs) / (before.images + after.images);
  const fetchWall = fetched.images / fetched.wallSecs;
  const fetchCpuPerImage = fetched.cpuSecs / fetched.images;
  return (
    `  ${name}: wit fetch ${fetchWall.toFixed(1)} images/s vs sharp alone ${sharpWall.toFixed(1)} = ${((100 * fetchWall) / sharpWall).toFixed(0)}% ` +
    `(${decodeConcurrency} decode workers); CPU per image ${(1000 * fetchCpuPerImage).toFixed(2)} ms vs ${(1000 * sharpCpuPerImage).toFixed(2)} ms = ` +
    `${(fetchCpuPerImage / sharpCpuPerImage).toFixed(2)}x`
  );
}

/** The "sharp alone": decode, shorter side to 256 (never up), JPEG q90, sha256 of the original bytes. */
async function plainSharp(bytes: Buffer): Promise<void> {
  sha256Hex(bytes);
  await sharp(bytes, { autoOrient: true })
    .resize({ width: 256, height: 256, fit: 'outside', withoutEnlargement: true })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/**
 * `n` image numbers spread evenly over the `count` that wit fetch downloads
 * (`/i/0` .. `/i/count-1`), starting `phase` of a step in: sharp alone runs
 * on the same files, whose cost per image varies along the corpus (its
 * photos come first), and before and after take different ones.
 */
function spreadOver(count: number, n: number, phase: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(((i + phase) * count) / n));
}

function firstImages(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k);
}

/** `work` over the corpus variants numbered `ks`, `concurrency` at once on the libuv pool. */
async function sharpAlone(
  images: CorpusImage[],
  ks: number[],
  concurrency: number,
  work: (bytes: Buffer) => Promise<unknown> = plainSharp,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < ks.length) {
      const k = ks[next++]!;
      await work(imageVariant(images[k % images.length]!.bytes, k)).catch(() => undefined);
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
    const m = await measured(n, () => sharpAlone(images, firstImages(n), concurrency, processImage));
    console.log(`  libuv pool, ${concurrency} at once, sharp.concurrency ${sharp.concurrency()}: ${rates(m)} · load ${loadText()}`);
  }
  const vipsThreads = sharp.concurrency();
  sharp.concurrency(availableParallelism());
  const wide = await measured(n, () => sharpAlone(images, firstImages(n), 1, processImage));
  console.log(`  libuv pool, 1 at once, sharp.concurrency ${sharp.concurrency()}: ${rates(wide)} · load ${loadText()}`);
  sharp.concurrency(vipsThreads);
  for (const workers of [2, 3]) {
    // Worker threads' CPU counts in this process's cpuUsage too.
    const m = await measured(n, () => workerThreads(images, 0, n, workers));
    console.log(`  worker_threads x${workers}: ${rates(m)} · load ${loadText()}`);
  }
  console.log('');
}

/** The bench's image server, a child process: its port and the CPU seconds it has used so far. */
interface ImageServer {
  port: number;
  cpuSecs(): Promise<number>;
}

/** Runs `work` with the bench's image server (a child process serving `corpus`) on a loopback port. */
async function withServer<T>(corpus: CorpusName, work: (server: ImageServer) => Promise<T>): Promise<T> {
  const child = fork(fileURLToPath(new URL('./server.js', import.meta.url)), [corpus, smallCorpusDir], { stdio: 'inherit' });
  try {
    const { port } = await nextMessage<{ port: number }>(child, 'image server');
    const cpuSecs = async () => {
      child.send('cpu');
      const { cpu } = await nextMessage<{ cpu: NodeJS.CpuUsage }>(child, 'image server');
      return (cpu.user + cpu.system) / 1e6;
    };
    return await work({ port, cpuSecs });
  } finally {
    child.disconnect();
  }
}

/**
 * `wit fetch` of `count` images of the server in a process of its own
 * (fetch-process.ts), after its warm-up; the server's CPU is read around the
 * timed part. The process inherits this one's environment, UV_THREADPOOL_SIZE
 * included: on more than 4 cores, give the bench the one `wit` sets itself
 * (bin/wit.cts), so that both sides decode on as many threads.
 */
async function fetchEndToEnd(server: ImageServer, corpusFiles: number, job: Omit<FetchJob, 'port'>): Promise<Measured> {
  console.log(
    `wit fetch: ${job.count} images from a loopback server (${corpusFiles} corpus files, each URL distinct bytes), ` +
      `${job.decodeConcurrency} decode workers, in a process of its own`,
  );
  const child = fork(fileURLToPath(new URL('./fetch-process.js', import.meta.url)), { stdio: 'inherit' });
  try {
    child.send({ ...job, port: server.port } satisfies FetchJob);
    await nextMessage(child, 'fetch process');
    await waitForQuietMachine('wit fetch (timed)');
    const serverCpuBefore = await server.cpuSecs();
    child.send('go');
    const result = await nextMessage<FetchMeasured>(child, 'fetch process');
    const serverCpu = (await server.cpuSecs()) - serverCpuBefore;
    console.log(
      `  ${rates(result)}; the image server used ${((1000 * serverCpu) / job.count).toFixed(2)} ms CPU an image of the same cores`,
    );
    return result;
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

function parseArgs(argv: string[]): Record<string, string | undefined> {
  const parsed: Record<string, string | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!flag.startsWith('--')) throw new Error(`bench fetch: unexpected argument ${flag}`);
    const value = argv[i + 1];
    if (value !== undefined && !value.startsWith('--')) {
      parsed[flag.slice(2)] = value;
      i++;
    } else parsed[flag.slice(2)] = '';
  }
  return parsed;
}

await main();
