/**
 * The query matcher at CLIP scale: ~500k queries (WordNet lemmas plus the most
 * frequent bigrams and trigrams of the WordNet glosses) matched against the
 * 117k WordNet glosses as captions, next to a naive baseline (one `includes`
 * per query per caption) run on a sample of captions and extrapolated.
 *
 *   node dist/bench/queries/main.js [--queries 500000] [--naive-sample 40]
 */
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { QueryMatcher, readWordnetGlosses, readWordnetLemmas, tokenize, type MatcherQuery } from '../../queries/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const targetQueries = numberArg('--queries', 500_000);
const naiveSample = numberArg('--naive-sample', 40);

function numberArg(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

function memoryBytes(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external + usage.arrayBuffers;
}

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
  const byCount = [...ngramCounts].sort((a, b) => b[1] - a[1]);
  for (const [text] of byCount) {
    if (texts.size >= target) break;
    texts.add(text);
  }
  return [...texts].map((text, index) => ({ id: index + 1, text }));
}

function cpuSecs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

function naiveMatch(queries: readonly MatcherQuery[], padded: readonly string[], caption: string): number[] {
  const text = ` ${tokenize(caption).join(' ')} `;
  const found: number[] = [];
  for (let i = 0; i < queries.length; i++) if (text.includes(padded[i]!)) found.push(queries[i]!.id);
  return found;
}

function main(): void {
  const captions = readWordnetGlosses();
  const captionBytes = captions.reduce((sum, caption) => sum + Buffer.byteLength(caption) + 1, 0);
  const queries = benchQueries(captions, targetQueries);
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`queries: ${queries.length.toLocaleString('en-US')} (WordNet lemmas + gloss n-grams); captions: ${captions.length.toLocaleString('en-US')} WordNet glosses, ${(captionBytes / 1e6).toFixed(1)} MB`);
  console.log(`load average before: ${load()} (machine shared; figures are noisy when it is high)`);

  const before = memoryBytes();
  const rssBefore = process.memoryUsage().rss;
  const buildStart = performance.now();
  const buildCpuStart = process.cpuUsage();
  const matcher = QueryMatcher.build(queries);
  const buildCpuSecs = cpuSecs(process.cpuUsage(buildCpuStart));
  const buildSecs = (performance.now() - buildStart) / 1000;
  const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 1e6;
  const extraMb = (memoryBytes() - before) / 1e6;
  console.log(
    `matcher build: ${buildSecs.toFixed(2)} s wall, ${buildCpuSecs.toFixed(2)} s CPU; ${extraMb.toFixed(0)} MB retained (heap+external after GC), ` +
      `RSS grew ${rssGrowthMb.toFixed(0)} MB during the build; ${matcher.size.toLocaleString('en-US')} queries`,
  );

  let matches = 0;
  for (const caption of captions.slice(0, 2000)) matches += matcher.match(caption).length; // warm-up
  matches = 0;
  const scanStart = performance.now();
  const scanCpuStart = process.cpuUsage();
  for (const caption of captions) matches += matcher.match(caption).length;
  const scanCpuSecs = cpuSecs(process.cpuUsage(scanCpuStart));
  const scanSecs = (performance.now() - scanStart) / 1000;
  const matcherMbPerSec = captionBytes / 1e6 / scanSecs;
  console.log(
    `matcher scan: ${scanSecs.toFixed(2)} s wall, ${scanCpuSecs.toFixed(2)} s CPU for all ${captions.length.toLocaleString('en-US')} captions = ` +
      `${matcherMbPerSec.toFixed(1)} MB/s wall, ${(captionBytes / 1e6 / scanCpuSecs).toFixed(1)} MB per CPU-second, ${matches.toLocaleString('en-US')} matches`,
  );

  const padded = queries.map((query) => ` ${tokenize(query.text).join(' ')} `);
  const step = Math.max(1, Math.floor(captions.length / naiveSample));
  const sample = captions.filter((_, index) => index % step === 0).slice(0, naiveSample);
  const sampleBytes = sample.reduce((sum, caption) => sum + Buffer.byteLength(caption) + 1, 0);
  let agree = 0;
  let compared = 0;
  const naiveCpuStart = process.cpuUsage();
  const naiveResults = sample.map((caption) => naiveMatch(queries, padded, caption));
  const naiveSecs = cpuSecs(process.cpuUsage(naiveCpuStart));
  sample.forEach((caption, index) => {
    if (/'s\b/.test(caption.toLowerCase())) return; // the matcher also ends a stem's phrases at a possessive; naive does not
    compared++;
    const a = [...matcher.match(caption)].sort((x, y) => x - y).join();
    const b = [...naiveResults[index]!].sort((x, y) => x - y).join();
    if (a === b) agree++;
  });
  const naiveMbPerSec = sampleBytes / 1e6 / naiveSecs;
  console.log(
    `naive includes: ${naiveSecs.toFixed(2)} s CPU for a sample of ${sample.length} captions (${(sampleBytes / 1e3).toFixed(1)} kB) = ${naiveMbPerSec.toFixed(4)} MB per CPU-second; ` +
      `extrapolated to all captions: ${((captionBytes / 1e6 / naiveMbPerSec) / 3600).toFixed(1)} CPU-hours`,
  );
  console.log(`speed-up (CPU time): ${(captionBytes / 1e6 / scanCpuSecs / naiveMbPerSec).toFixed(0)}x; matcher and naive agree on ${agree}/${compared} sampled captions without possessives`);
  console.log(`load average after: ${load()}`);
}

main();
