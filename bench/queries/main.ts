/**
 * The query matcher at CLIP scale: ~500k queries (WordNet lemmas plus the most
 * frequent bigrams and trigrams of a corpus) matched against captions, next to
 * a naive baseline (one `includes` per query per caption) run on a sample of
 * captions and extrapolated, plus the corpus counter of `wit queries build`.
 *
 * The corpus and the captions are the WordNet glosses split in two: n-grams
 * come from the even-numbered glosses, the captions are the odd-numbered ones,
 * as CLIP's queries came from Wikipedia and its captions from the web. A second
 * scan shows the worst case: n-grams cut from the very captions scanned, so
 * every frequent n-gram of a caption is a query.
 *
 * Times are given as wall and as CPU seconds of this process: on a shared
 * machine the CPU figure is the one-core speed, the wall figure what you waited.
 *
 *   node dist/bench/queries/main.js [--queries 500000] [--naive-sample 40]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { countCorpora, QueryMatcher, readWordnetGlosses, readWordnetLemmas, tokenize, type MatcherQuery } from '../../queries/index.js';
import { loadText } from '../machine-load.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const targetQueries = numberArg('--queries', 500_000);
const peakChildFlag = '--peak-build-from';
const naiveSample = numberArg('--naive-sample', 40);
const scanPasses = 10;

function numberArg(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

interface Timing {
  wallSecs: number;
  cpuSecs: number;
}

function timed<T>(work: () => T): { result: T } & Timing {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const result = work();
  const cpu = process.cpuUsage(cpuStart);
  return { result, wallSecs: (performance.now() - wallStart) / 1000, cpuSecs: (cpu.user + cpu.system) / 1e6 };
}

/** Heap plus array buffers after GC; waits a moment, as V8 frees array buffers' memory after the collection. */
async function retainedBytes(): Promise<number> {
  gc();
  await new Promise((done) => setTimeout(done, 100));
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external; // external includes array buffers
}

const mb = (bytes: number) => bytes / 1e6;
const count = (n: number) => n.toLocaleString('en-US');

/** WordNet lemmas, then gloss bigrams and trigrams by frequency, up to `target` distinct texts. */
function benchQueries(glosses: readonly string[], target: number): MatcherQuery[] {
  const texts = new Set(readWordnetLemmas());
  const ngramCounts = new Map<string, number>();
  for (const gloss of glosses) {
    const words = tokenize(gloss);
    for (let i = 0; i + 1 < words.length; i++) {
      const bigram = `${words[i]} ${words[i + 1]}`;
      ngramCounts.set(bigram, (ngramCounts.get(bigram) ?? 0) + 1);
      if (i + 2 < words.length) {
        const trigram = `${bigram} ${words[i + 2]}`;
        ngramCounts.set(trigram, (ngramCounts.get(trigram) ?? 0) + 1);
      }
    }
  }
  for (const [text] of [...ngramCounts].sort((a, b) => b[1] - a[1])) {
    if (texts.size >= target) break;
    texts.add(text);
  }
  return [...texts].map((text, index) => ({ id: index + 1, text }));
}

async function benchBuild(queries: readonly MatcherQuery[]): Promise<QueryMatcher> {
  const before = await retainedBytes();
  const build = timed(() => QueryMatcher.build(queries));
  const retained = (await retainedBytes()) - before;
  console.log(
    `matcher build: ${build.wallSecs.toFixed(2)} s wall, ${build.cpuSecs.toFixed(2)} s CPU for ${count(build.result.size)} queries; ` +
      `${mb(retained).toFixed(0)} MB retained (heap + external after GC)`,
  );
  return build.result;
}

/**
 * Peak memory of a build, in a fresh process that holds only the query list:
 * how much its peak RSS rose while `QueryMatcher.build` ran.
 */
function benchBuildPeak(queries: readonly MatcherQuery[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'wit-bench-queries-'));
  try {
    const file = join(dir, 'queries.txt');
    writeFileSync(file, queries.map((query) => query.text).join('\n'));
    const child = spawnSync(process.execPath, [process.argv[1]!, peakChildFlag, file], { encoding: 'utf8' });
    console.log(child.status === 0 ? child.stdout.trim() : `matcher build peak: child failed: ${child.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function reportBuildPeak(file: string): void {
  const queries = readFileSync(file, 'utf8')
    .split('\n')
    .map((text, index) => ({ id: index + 1, text }));
  gc();
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const matcher = QueryMatcher.build(queries);
  const peakRise = process.resourceUsage().maxRSS * 1024 - peakBefore;
  console.log(
    `matcher build peak (fresh process): peak RSS rose ${mb(peakRise).toFixed(0)} MB while building ${count(matcher.size)} queries`,
  );
}

/** Best of `scanPasses` full passes (the machine may be shared, and the JIT settles over the first passes). */
function benchScan(label: string, matcher: QueryMatcher, captions: readonly string[], captionBytes: number): number {
  let best: (Timing & { result: number }) | undefined;
  for (let pass = 0; pass < scanPasses; pass++) {
    const scan = timed(() => captions.reduce((matches, caption) => matches + matcher.match(caption).length, 0));
    if (!best || scan.cpuSecs < best.cpuSecs) best = scan;
  }
  const scan = best!;
  const mbPerCpuSec = mb(captionBytes) / scan.cpuSecs;
  console.log(
    `matcher scan, ${label} (best of ${scanPasses}): ${scan.wallSecs.toFixed(2)} s wall, ${scan.cpuSecs.toFixed(2)} s CPU for ${count(captions.length)} captions = ` +
      `${(mb(captionBytes) / scan.wallSecs).toFixed(1)} MB/s wall, ${mbPerCpuSec.toFixed(1)} MB/s per CPU-second; ` +
      `${count(scan.result)} matches (${(scan.result / captions.length).toFixed(1)} a caption)`,
  );
  return mbPerCpuSec;
}

function benchNaive(
  matcher: QueryMatcher,
  queries: readonly MatcherQuery[],
  captions: readonly string[],
  captionBytes: number,
  matcherMbPerSec: number,
): void {
  const padded = queries.map((query) => ` ${tokenize(query.text).join(' ')} `);
  const step = Math.max(1, Math.floor(captions.length / naiveSample));
  const sample = captions.filter((_, index) => index % step === 0).slice(0, naiveSample);
  const sampleBytes = sample.reduce((sum, caption) => sum + Buffer.byteLength(caption) + 1, 0);
  const naive = timed(() =>
    sample.map((caption) => {
      const text = ` ${tokenize(caption).join(' ')} `;
      return queries.filter((_, i) => text.includes(padded[i]!)).map((query) => query.id);
    }),
  );
  const comparable = sample.map((caption, index) => ({ caption, index })).filter(({ caption }) => !/'s\b/i.test(caption));
  const agree = comparable.filter(({ caption, index }) => sameIds(matcher.match(caption), naive.result[index]!)).length;
  const naiveMbPerSec = mb(sampleBytes) / naive.cpuSecs;
  console.log(
    `naive includes: ${naive.cpuSecs.toFixed(2)} s CPU for a SAMPLE of ${sample.length} captions (${(sampleBytes / 1e3).toFixed(1)} kB) = ` +
      `${naiveMbPerSec.toFixed(4)} MB/s per CPU-second; EXTRAPOLATED to all captions: ${(mb(captionBytes) / naiveMbPerSec / 3600).toFixed(1)} CPU-hours`,
  );
  console.log(
    `speed-up over naive (CPU): ${count(Math.round(matcherMbPerSec / naiveMbPerSec))}x; ` +
      `same ids on ${agree}/${comparable.length} sampled captions (those without a possessive 's, which only the matcher folds)`,
  );
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return [...a].sort((x, y) => x - y).join() === [...b].sort((x, y) => x - y).join();
}

/** The corpus counter on the glosses: uncapped, then with caps far below the distinct terms, to show the bound at work. */
async function benchCounting(captions: readonly string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wit-bench-queries-'));
  try {
    const corpus = join(dir, 'glosses.txt');
    writeFileSync(corpus, `${captions.join('\n')}\n`);
    await countOnce(corpus, 2_000_000, 12_000_000);
    await countOnce(corpus, 10_000, 50_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function countOnce(corpus: string, maxTrackedUnigrams: number, maxTrackedBigrams: number): Promise<void> {
  const before = await retainedBytes();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const counts = await countCorpora([corpus], { maxTrackedUnigrams, maxTrackedBigrams });
  const cpu = process.cpuUsage(cpuStart);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const entries = counts.words.size + counts.pairs.size;
  const retained = (await retainedBytes()) - before;
  console.log(
    `corpus counting, caps ${count(maxTrackedUnigrams)} words / ${count(maxTrackedBigrams)} bigrams: ${mb(counts.bytes).toFixed(1)} MB in ` +
      `${((performance.now() - wallStart) / 1000).toFixed(2)} s wall, ${cpuSecs.toFixed(2)} s CPU = ${(mb(counts.bytes) / cpuSecs).toFixed(1)} MB/s per CPU-second; ` +
      `${count(counts.words.size)} words + ${count(counts.pairs.size)} bigrams held, ${mb(retained).toFixed(0)} MB retained ` +
      `(${(retained / entries).toFixed(0)} B/entry), ${counts.words.prunes + counts.pairs.prunes} prunes, counts low by <= ${count(Math.max(counts.words.undercountBound, counts.pairs.undercountBound))}`,
  );
}

const textBytes = (texts: readonly string[]) => texts.reduce((sum, text) => sum + Buffer.byteLength(text) + 1, 0);

async function main(): Promise<void> {
  const glosses = readWordnetGlosses();
  const corpus = glosses.filter((_, index) => index % 2 === 0);
  const captions = glosses.filter((_, index) => index % 2 === 1);
  const captionBytes = textBytes(captions);
  const queries = benchQueries(corpus, targetQueries);
  console.log(
    `queries: ${count(queries.length)} (WordNet lemmas + n-grams of the ${count(corpus.length)} even-numbered glosses); ` +
      `captions: the ${count(captions.length)} odd-numbered glosses, ${mb(captionBytes).toFixed(1)} MB`,
  );
  console.log(`load average before: ${loadText()} (2-core machine shared with other work; wall figures are noisy when it is high)`);
  const matcher = await benchBuild(queries);
  benchBuildPeak(queries);
  const matcherMbPerSec = benchScan('held-out captions', matcher, captions, captionBytes);
  benchNaive(matcher, queries, captions, captionBytes, matcherMbPerSec);
  const cutFromCaptions = QueryMatcher.build(benchQueries(glosses, targetQueries));
  benchScan('worst case: n-grams cut from all 117k glosses, which are then scanned', cutFromCaptions, glosses, textBytes(glosses));
  await benchCounting(glosses);
  console.log(`load average after: ${loadText()}`);
}

const peakFrom = process.argv.indexOf(peakChildFlag);
if (peakFrom === -1) await main();
else reportBuildPeak(process.argv[peakFrom + 1]!);
