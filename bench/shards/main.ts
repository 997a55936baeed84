/**
 * `wit shards build`'s decision core at scale: filter + decontamination-free
 * dedupe (exact and near-duplicate) + balance + split (`curatePairs`) on
 * synthetic pairs held in memory, at 100k and 1M rows, each size in its own
 * process so that peak memory (max RSS) is its own. SQLite reading, image
 * copying and tar writing are not measured here: they are I/O, linear in the
 * kept samples.
 *
 * Rows: pHashes are drawn as clusters around real ones. Real hashes are
 * computed from openmoji emoji rendered by sharp; each cluster's base is a
 * real hash with 10..16 random bits flipped, and each member the base with
 * 0..3 more flipped (cluster sizes 1 to 10, mean ~1.5); 2% of the pairs reuse
 * another pair's image bytes (same sha256). Captions are 3..14 words of a
 * 300-word vocabulary with 3% placeholders, 2% single words; 3% of images
 * are too small or too wide, 1% not fetched; 1 query per ~50 pairs.
 *
 *   node dist/bench/shards/main.js [--sizes 100000,1000000] [--real-hashes 400]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { curatePairs, resolveCurateOptions, type BuildPhase } from '../../curate/index.js';
import type { CurationCandidate } from '../../db/index.js';

interface SizeResult {
  rows: number;
  buildRowsSecs: number;
  rssAfterRowsMiB: number;
  phaseSecs: Partial<Record<BuildPhase, number>>;
  /** CPU seconds (user + system) per phase: what the phase costs when the machine is shared. */
  phaseCpuSecs: Partial<Record<BuildPhase, number>>;
  totalSecs: number;
  totalCpuSecs: number;
  peakRssMiB: number;
  distinctImages: number;
  clusters: number;
  comparisons: number;
  kept: number;
}

const at = process.argv.indexOf('--child');
if (process.argv[1] !== fileURLToPath(import.meta.url)) {
  // imported (to reuse the row maker): run nothing
} else if (at !== -1) {
  const rows = Number(process.argv[at + 1]);
  const hashes = JSON.parse(readFileSync(process.argv[at + 2]!, 'utf8')) as string[];
  console.log(JSON.stringify(measure(rows, hashes)));
} else {
  await main();
}

async function main(): Promise<void> {
  const sizes = (argValue('--sizes') ?? '100000,1000000').split(',').map(Number);
  const realCount = Number(argValue('--real-hashes') ?? 400);
  console.log(`shards bench · ${new Date().toISOString()} · load ${loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15 min)`);
  const startedAt = performance.now();
  const hashes = await realHashes(realCount);
  console.log(`${hashes.length} real pHashes from openmoji in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  const hashFile = join(tmpdir(), `wit-bench-shards-${process.pid}.json`);
  writeFileSync(hashFile, JSON.stringify(hashes));
  const results: SizeResult[] = [];
  try {
    for (const rows of sizes) {
      const child = spawnSync(process.execPath, ['--max-old-space-size=4096', fileURLToPath(import.meta.url), '--child', String(rows), hashFile], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      if (child.status !== 0) throw new Error(`bench child for ${rows} rows failed: ${child.stderr}`);
      results.push(JSON.parse(child.stdout.trim().split('\n').pop()!) as SizeResult);
      console.log(`  ${rows.toLocaleString('en-US')} rows done · load ${loadavg()[0]!.toFixed(2)}`);
    }
  } finally {
    rmSync(hashFile, { force: true });
  }
  printTable(results);
}

function printTable(results: SizeResult[]): void {
  const line = (label: string, values: string[]) => console.log(`${label.padEnd(36)}${values.map((v) => v.padStart(16)).join('')}`);
  const first = results[0]!;
  const last = results[results.length - 1]!;
  const ratio = (pick: (r: SizeResult) => number) => (pick(first) > 0 ? `${(pick(last) / pick(first)).toFixed(1)}x` : '-');
  const secs = (v: number | undefined) => `${(v ?? 0).toFixed(2)} s`;
  const row = (label: string, pick: (r: SizeResult) => number, format: (v: number) => string = secs) =>
    line(label, [...results.map((r) => format(pick(r))), results.length > 1 ? ratio(pick) : '']);
  line('', [...results.map((r) => `${r.rows.toLocaleString('en-US')} rows`), results.length > 1 ? 'ratio' : '']);
  console.log('wall clock (shared machine: see load)');
  row('  filter', (r) => r.phaseSecs.filter ?? 0);
  row('  dedupe (exact + near-dup + pick)', (r) => r.phaseSecs.dedupe ?? 0);
  row('  balance + split + order', (r) => r.phaseSecs.balance ?? 0);
  row('  total', (r) => r.totalSecs);
  console.log('CPU seconds (user + system)');
  row('  filter', (r) => r.phaseCpuSecs.filter ?? 0);
  row('  dedupe (exact + near-dup + pick)', (r) => r.phaseCpuSecs.dedupe ?? 0);
  row('  balance + split + order', (r) => r.phaseCpuSecs.balance ?? 0);
  row('  total', (r) => r.totalCpuSecs);
  row('near-dup hash comparisons', (r) => r.comparisons, (v) => v.toLocaleString('en-US'));
  row('distinct images', (r) => r.distinctImages, (v) => v.toLocaleString('en-US'));
  row('near-dup clusters', (r) => r.clusters, (v) => v.toLocaleString('en-US'));
  row('pairs kept', (r) => r.kept, (v) => v.toLocaleString('en-US'));
  row('RSS with rows loaded', (r) => r.rssAfterRowsMiB, (v) => `${v.toFixed(0)} MiB`);
  row('peak RSS (whole process)', (r) => r.peakRssMiB, (v) => `${v.toFixed(0)} MiB`);
  row('(making the rows, not measured)', (r) => r.buildRowsSecs);
}

function measure(rowCount: number, hashes: readonly string[]): SizeResult {
  let startedAt = performance.now();
  const rows = syntheticRows(rowCount, hashes);
  const buildRowsSecs = (performance.now() - startedAt) / 1000;
  const rssAfterRowsMiB = process.memoryUsage().rss / 2 ** 20;
  const phaseSecs: Partial<Record<BuildPhase, number>> = {};
  const phaseCpuSecs: Partial<Record<BuildPhase, number>> = {};
  startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  const curated = curatePairs(rows, resolveCurateOptions({}), {
    progress: (phase) => {
      const phaseStart = performance.now();
      const cpuStart = process.cpuUsage();
      return {
        update: () => undefined,
        finish: () => {
          phaseSecs[phase] = (performance.now() - phaseStart) / 1000;
          phaseCpuSecs[phase] = cpuSecs(process.cpuUsage(cpuStart));
        },
      };
    },
  });
  const totalSecs = (performance.now() - startedAt) / 1000;
  const totalCpuSecs = cpuSecs(process.cpuUsage(cpuAtStart));
  return {
    rows: rowCount,
    buildRowsSecs,
    rssAfterRowsMiB,
    phaseSecs,
    phaseCpuSecs,
    totalSecs,
    totalCpuSecs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    distinctImages: curated.nearDup.distinctHashes,
    clusters: curated.clusters,
    comparisons: curated.nearDup.comparisons,
    kept: curated.train.length + curated.val.length,
  };
}

function cpuSecs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

/** xorshift32: the same rows on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

function flipBits(hex: string, count: number, next: () => number): string {
  let hi = Number.parseInt(hex.slice(0, 8), 16);
  let lo = Number.parseInt(hex.slice(8), 16);
  for (let i = 0; i < count; i += 1) {
    const bit = next() % 64;
    if (bit < 32) lo = (lo ^ (1 << bit)) >>> 0;
    else hi = (hi ^ (1 << (bit - 32))) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

export function syntheticRows(count: number, realHashes: readonly string[]): CurationCandidate[] {
  const next = rng(20261126);
  const vocabulary = Array.from({ length: 300 }, (_, i) => `w${(i * 7919).toString(36)}`);
  const queries = Array.from({ length: Math.ceil(count / 50) }, (_, i) => `query ${i}`);
  const placeholders = ['IMG_1234.jpg', 'logo', 'click here', 'untitled', '2019 05 12'];
  const rows: CurationCandidate[] = [];
  let clusterBase = '';
  let clusterLeft = 0;
  for (let i = 0; i < count; i += 1) {
    if (clusterLeft === 0) {
      clusterBase = flipBits(realHashes[next() % realHashes.length]!, 10 + (next() % 7), next);
      const r = next() % 100;
      clusterLeft = r < 70 ? 1 : r < 90 ? 2 : r < 97 ? 3 + (next() % 2) : 5 + (next() % 6);
    }
    clusterLeft -= 1;
    const reuse = rows.length > 0 && next() % 100 < 2 ? rows[next() % rows.length]! : undefined;
    const sha = reuse?.sha256 ?? Array.from({ length: 8 }, () => next().toString(16).padStart(8, '0')).join('');
    const shape = next() % 100;
    const words = 3 + (next() % 12);
    const kind = next() % 100;
    const text = kind < 3 ? placeholders[kind % placeholders.length]! : kind < 5 ? vocabulary[next() % 300]! : Array.from({ length: words }, () => vocabulary[next() % 300]).join(' ');
    rows.push({
      pairId: i + 1,
      text,
      textOrigin: 'alt',
      imageUrl: `http://img${i % 997}.example/${i}.jpg`,
      pageUrl: `http://site${i % 991}.example/page/${i >> 3}`,
      queryId: (next() % queries.length) + 1,
      query: queries[i % queries.length]!,
      imageState: shape === 0 ? 'failed' : 'ok',
      imageHost: `img${i % 997}.example`,
      sha256: sha,
      phash: reuse?.phash ?? flipBits(clusterBase, next() % 4, next),
      width: shape < 3 ? 40 : 200 + (next() % 800),
      height: shape === 3 ? 2000 : 200 + (next() % 600),
      path: `${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}.jpg`,
    });
  }
  return rows;
}

export async function realHashes(count: number): Promise<string[]> {
  const { computePhash } = await import('../../crawler/index.js');
  const sharp = (await import('sharp')).default;
  const svgDir = join(dirname(createRequire(import.meta.url).resolve('openmoji/package.json')), 'color', 'svg');
  const names = readdirSync(svgDir).filter((name) => name.endsWith('.svg')).sort();
  const step = Math.max(1, Math.floor(names.length / count));
  const hashes = new Set<string>();
  for (let i = 0; i < names.length && hashes.size < count; i += step) {
    const png = await sharp(readFileSync(join(svgDir, names[i]!)), { density: 72 }).resize(64, 64).flatten({ background: '#ffffff' }).png().toBuffer();
    hashes.add(await computePhash(png));
  }
  return [...hashes];
}

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i === -1 ? undefined : process.argv[i + 1];
}
