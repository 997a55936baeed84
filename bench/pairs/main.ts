// URL-list benchmark: rows/s of `wit crawl --pairs` (read, match against
// WordNet's lemmas, per-query cap, SQLite) on a parquet and a tsv.gz list of
// distinct URLs with WordNet glosses as captions, beside the plain-INSERT
// floor of bench/crawl on the same rows. Lists are written once into bench/out/.
// Run: npm run build && node dist/bench/pairs/main.js [--rows 1000000] [--rounds 1]
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crawl, type PairCandidate } from '../../crawler/index.js';
import { insertNewQueries, openDb, type WitDb } from '../../db/index.js';
import { normalizeText, readWordnetGlosses, readWordnetLemmas } from '../../queries/index.js';
import { writeListFile, type ListFixtureRow } from '../../test/fixtures/list-files.js';
import { formatRate, plainInsert, timedAsync, type Rate } from '../crawl/plain-insert.js';
import { loadText } from '../machine-load.js';

const outDir = fileURLToPath(new URL('../../../bench/out/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wit-bench-pairs-'));

function numberArg(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

const rowCount = numberArg('--rows', 1_000_000);
const rounds = numberArg('--rounds', 1); // 1M rows a round: --rounds 3 for a median takes about three times as long
const queries = [
  ...new Set(
    readWordnetLemmas()
      .map(normalizeText)
      .filter((text) => text !== ''),
  ),
];
const glosses = readWordnetGlosses().map((gloss) => gloss.replace(/\s+/g, ' ').trim());

function rowOf(i: number): ListFixtureRow {
  return { url: `https://img.example.org/${i % 1000}/${i}.jpg`, caption: glosses[i % glosses.length]! };
}

function freshDb(name: string): WitDb {
  const path = join(dir, name);
  rmSync(path, { force: true });
  const db = openDb(path);
  insertNewQueries(
    db,
    queries.map((text) => ({ text, origin: 'wordnet' as const })),
  );
  return db;
}

/** The list files, written once per row count (bench/out/ is git-ignored). */
function listFiles(): string[] {
  mkdirSync(outDir, { recursive: true });
  const files = [join(outDir, `pairs-${rowCount}.parquet`), join(outDir, `pairs-${rowCount}.tsv.gz`)];
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    const rows = Array.from({ length: rowCount }, (_, i) => rowOf(i));
    for (const file of missing) {
      const started = Date.now();
      writeListFile(file, rows, { rowGroupSize: 100_000 });
      console.log(`wrote ${file} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  }
  return files;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function benchList(file: string): Promise<void> {
  const rates: Rate[] = [];
  let stored = 0;
  for (let round = 0; round < rounds; round++) {
    const db = freshDb('list.db');
    try {
      rates.push(
        await timedAsync(rowCount, async () => {
          stored = (await crawl(db, { source: { kind: 'list', files: [file] } })).pairs.stored;
        }),
      );
    } finally {
      db.close();
    }
  }
  const rate = { wallPerSec: median(rates.map((r) => r.wallPerSec)), cpuPerSec: median(rates.map((r) => r.cpuPerSec)) };
  console.log(
    `wit crawl --pairs ${file.split('/').pop()}: ${formatRate(rate, 'rows')} (median of ${rounds}; ${stored.toLocaleString('en-US')} pairs stored; load ${loadText()})`,
  );
}

function benchBaseline(): void {
  const db = freshDb('plain.db');
  const pairOf = (i: number): PairCandidate => ({
    imageUrl: rowOf(i).url as string,
    text: rowOf(i).caption as string,
    textOrigin: 'list',
    pageUrl: null,
  });
  const rate = plainInsert(db, rowCount, pairOf, (i) => (i % queries.length) + 1, 5000);
  console.log(`plain INSERT of the same rows, no reading, matching or cap (baseline): ${formatRate(rate, 'rows')} (load ${loadText()})`);
  db.close();
}

async function main(): Promise<void> {
  console.log(
    `wit pairs bench, ${new Date().toISOString()}, ${rowCount.toLocaleString('en-US')} rows, ${queries.length.toLocaleString('en-US')} WordNet queries, load average ${loadText()}`,
  );
  try {
    const files = listFiles();
    benchBaseline();
    for (const file of files) await benchList(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
