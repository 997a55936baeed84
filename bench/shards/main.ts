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
 * With `--full-rows N` it then also times the whole `buildShards` (SQLite
 * read, decisions, tar writing, `curation` rewrite) on N rows: full-build.ts.
 *
 *   node dist/bench/shards/main.js [--sizes 100000,1000000] [--real-hashes 400] [--full-rows 100000]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { curatePairs, resolveCurateOptions, type BuildPhase } from '../../curate/index.js';
import type { FullBuildResult } from './full-build.js';
import { realHashes, syntheticRows } from './synthetic-rows.js';
import { loadText } from '../machine-load.js';

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
const fullAt = process.argv.indexOf('--child-full');
if (at !== -1) {
  const rows = Number(process.argv[at + 1]);
  const hashes = JSON.parse(readFileSync(process.argv[at + 2]!, 'utf8')) as string[];
  console.log(JSON.stringify(measure(rows, hashes)));
} else if (fullAt !== -1) {
  const { measureFullBuild } = await import('./full-build.js');
  const hashes = JSON.parse(readFileSync(process.argv[fullAt + 2]!, 'utf8')) as string[];
  console.log(JSON.stringify(await measureFullBuild(Number(process.argv[fullAt + 1]), hashes)));
} else {
  await main();
}

async function main(): Promise<void> {
  const sizes = (argValue('--sizes') ?? '100000,1000000').split(',').map(Number);
  const realCount = Number(argValue('--real-hashes') ?? 400);
  console.log(`shards bench · ${new Date().toISOString()} · load ${loadText()} (1/5/15 min)`);
  const startedAt = performance.now();
  const hashes = await realHashes(realCount);
  console.log(`${hashes.length} real pHashes from openmoji in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  const hashFile = join(tmpdir(), `wit-bench-shards-${process.pid}.json`);
  writeFileSync(hashFile, JSON.stringify(hashes));
  const results: SizeResult[] = [];
  try {
    for (const rows of sizes) {
      results.push(runChild<SizeResult>(['--child', String(rows), hashFile]));
      console.log(`  ${rows.toLocaleString('en-US')} rows done · load ${loadavg()[0]!.toFixed(2)}`);
    }
    printTable(results);
    const fullRows = argValue('--full-rows');
    if (fullRows) printFullBuild(runChild<FullBuildResult>(['--child-full', fullRows, hashFile]));
  } finally {
    rmSync(hashFile, { force: true });
  }
}

/** Runs this script again in a fresh process (its own peak memory) and parses the JSON line it prints. */
function runChild<T>(args: string[]): T {
  const child = spawnSync(process.execPath, ['--max-old-space-size=4096', fileURLToPath(import.meta.url), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`bench child ${args.join(' ')} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as T;
}

function printFullBuild(result: FullBuildResult): void {
  console.log(
    `\nbuildShards on a real SQLite file and image store, ${result.rows.toLocaleString('en-US')} pairs · load ${loadavg()[0]!.toFixed(2)}`,
  );
  for (const [phase, secs] of result.phaseSecs) console.log(`  ${phase.padEnd(14)}${secs.toFixed(2).padStart(9)} s`);
  const total = result.phaseSecs.reduce((sum, [, secs]) => sum + secs, 0);
  console.log(`  ${'total'.padEnd(14)}${total.toFixed(2).padStart(9)} s`);
  console.log(
    `  ${result.train.toLocaleString('en-US')} train + ${result.val.toLocaleString('en-US')} val samples, ${(result.shardBytes / 2 ** 20).toFixed(0)} MiB of shards, peak RSS ${result.peakRssMiB.toFixed(0)} MiB`,
  );
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
  row(
    'near-dup hash comparisons',
    (r) => r.comparisons,
    (v) => v.toLocaleString('en-US'),
  );
  row(
    'distinct images',
    (r) => r.distinctImages,
    (v) => v.toLocaleString('en-US'),
  );
  row(
    'near-dup clusters',
    (r) => r.clusters,
    (v) => v.toLocaleString('en-US'),
  );
  row(
    'pairs kept',
    (r) => r.kept,
    (v) => v.toLocaleString('en-US'),
  );
  row(
    'RSS with rows loaded',
    (r) => r.rssAfterRowsMiB,
    (v) => `${v.toFixed(0)} MiB`,
  );
  row(
    'peak RSS (whole process)',
    (r) => r.peakRssMiB,
    (v) => `${v.toFixed(0)} MiB`,
  );
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

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i === -1 ? undefined : process.argv[i + 1];
}
