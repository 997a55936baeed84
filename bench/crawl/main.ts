// Crawl benchmark: pages/s and pairs/s against the openmoji fixture site on
// loopback, and the rate of storing pairs through the per-query cap check.
// Run: npm run build && node dist/bench/crawl/main.js [--renders N]
// --renders: how many pages to render in chromium (default: one per subgroup,
// about 120); thousands show whether the browser's memory stays flat.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CappedPairWriter, crawl, type CrawlOptions, type PairCandidate } from '../../crawler/index.js';
import { insertNewQueries, openDb, type WitDb } from '../../db/index.js';
import { startOpenmojiSite } from '../../test/fixtures/openmoji-site.js';
import { formatRate, plainInsert, timed } from './plain-insert.js';
import { loadText } from '../machine-load.js';

const dir = mkdtempSync(join(tmpdir(), 'wit-bench-crawl-'));

function freshDb(name: string, queries: readonly string[]): WitDb {
  const db = openDb(join(dir, name));
  insertNewQueries(
    db,
    queries.map((text) => ({ text, origin: 'user' as const })),
  );
  return db;
}

const pairTotal = 300_000;
const batchSize = 10_000;
const queryCount = 1000;

function benchPair(i: number): PairCandidate {
  return {
    imageUrl: `https://img.example.org/${i % 50_000}/${i}.jpg`,
    text: `a photo of query ${i % queryCount} number ${i}`,
    textOrigin: 'alt',
    pageUrl: `https://example.org/page/${i >> 6}`,
  };
}

/** The same rows (same query ids) with a plain INSERT and no cap check: the floor the cap check is measured against. */
function benchPlainInsert(): void {
  const db = freshDb(
    'plain.db',
    Array.from({ length: queryCount }, (_, i) => `query ${i}`),
  );
  const rate = plainInsert(db, pairTotal, benchPair, (i) => (i % queryCount) + 1, batchSize);
  console.log(`plain INSERT, no cap check (baseline): ${formatRate(rate)}`);
  db.close();
}

/** Pairs through the cap check, in transactions of `batchSize`: one query per pair, and three candidate queries per pair. */
function benchCappedInsert(): void {
  const queries = Array.from({ length: queryCount }, (_, i) => `query ${i}`);
  for (const mode of ['one query', 'three candidate queries'] as const) {
    const db = freshDb(`pairs-${mode.replaceAll(' ', '-')}.db`, queries);
    const writer = new CappedPairWriter(db, 20_000);
    let stored = 0;
    const rate = timed(pairTotal, () => {
      for (let start = 0; start < pairTotal; start += batchSize) {
        const batch = Array.from({ length: batchSize }, (_, j) => {
          const i = start + j;
          const first = (i % queryCount) + 1;
          return {
            pair: benchPair(i),
            queryIds: mode === 'one query' ? [first] : [first, ((i + 7) % queryCount) + 1, ((i + 13) % queryCount) + 1],
          };
        });
        stored += writer.store(batch).stored;
      }
    });
    console.log(
      `pair insert with cap check (${mode}): ${formatRate(rate)} (${stored.toLocaleString('en-US')} stored, batches of ${batchSize}, ${queryCount} queries)`,
    );
    db.close();
  }
}

async function benchCrawl(label: string, db: WitDb, options: CrawlOptions): Promise<void> {
  const summary = await crawl(db, options);
  const secs = summary.elapsedSecs;
  console.log(
    `${label}: ${(summary.pages.fetched / secs).toFixed(1)} pages/s, ${Math.round(summary.pairs.stored / secs).toLocaleString('en-US')} pairs/s ` +
      `(${summary.pages.fetched} pages, ${summary.pairs.stored} pairs in ${secs.toFixed(2)} s; load ${loadText()})`,
  );
  db.close();
}

/** Resident memory of every process descending from this one (chromium's), in MB; Linux /proc. */
function childrenRssMb(): number {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      rss.set(Number(entry), (Number(fields[21]) * 4096) / 1024 / 1024);
    } catch {
      // the process ended while we looked
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, mb] of rss) if (descends(pid)) total += mb;
  return total;
}

function numberArg(flag: string): number | undefined {
  const at = process.argv.indexOf(flag);
  return at === -1 ? undefined : Number(process.argv[at + 1]);
}

/**
 * Renders `renders` script-built pages in chromium (the subgroups' pages, again
 * and again under distinct URLs), sampling the browser's memory as it goes.
 */
async function benchRender(siteUrl: string, subgroups: readonly string[], words: readonly string[], renders: number): Promise<void> {
  const seeds = Array.from(
    { length: renders },
    (_, i) => `${siteUrl}/script/${subgroups[i % subgroups.length]}/?round=${Math.floor(i / subgroups.length)}`,
  );
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(childrenRssMb()), 1000);
  try {
    await benchCrawl(`site crawl, --render always, ${seeds.length} pages`, freshDb('render.db', words), {
      source: { kind: 'site', seeds, maxDepth: 0 },
      fetcher: { allowPrivate: true, hostDelayMillis: 0, concurrency: 8, perHost: 8 },
      render: 'always',
    });
  } finally {
    clearInterval(sampler);
  }
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  console.log(
    `chromium memory while rendering: ${mean(samples.slice(0, quarter)).toFixed(0)} MB in the first quarter, ` +
      `${mean(samples.slice(-quarter)).toFixed(0)} MB in the last, ${Math.max(...samples, 0).toFixed(0)} MB at most (${samples.length} samples, 1 s apart)`,
  );
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const tenths = Array.from({ length: Math.ceil(samples.length / tenth) }, (_, i) =>
    mean(samples.slice(i * tenth, (i + 1) * tenth)).toFixed(0),
  );
  console.log(`chromium memory by tenth of the run, MB: ${tenths.join(' ')}`);
}

async function main(): Promise<void> {
  console.log(`wit crawl bench, ${new Date().toISOString()}, load average ${loadText()}`);
  benchPlainInsert();
  benchCappedInsert();
  const site = await startOpenmojiSite();
  try {
    const words = [
      ...new Set(site.emojis.flatMap((emoji) => emoji.annotation.toLowerCase().split(/[^a-z]+/)).filter((w) => w.length > 2)),
    ].slice(0, 300);
    for (const perHost of [2, 16]) {
      const fetcher = { allowPrivate: true, hostDelayMillis: 0, concurrency: 32, perHost };
      await benchCrawl(`site crawl, ${site.subgroups.length + 4} pages, --per-host ${perHost}`, freshDb(`site-${perHost}.db`, words), {
        source: { kind: 'site', seeds: [`${site.url}/`], maxDepth: 1 },
        fetcher,
      });
      await benchCrawl(`search crawl, ${words.length} queries, --per-host ${perHost}`, freshDb(`search-${perHost}.db`, words), {
        source: { kind: 'search', urlTemplate: `${site.url}/search?q={query}&page={page}`, maxPages: 5 },
        fetcher,
      });
    }
    if (existsSync('/usr/bin/chromium'))
      await benchRender(site.url, site.subgroups, words, numberArg('--renders') ?? site.subgroups.length);
    else console.log('render bench skipped: /usr/bin/chromium is missing (apt-get install chromium)');
  } finally {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
