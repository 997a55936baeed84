// One wit side of bench/warc, in a process of its own so its CPU time and
// peak RSS are the crawl's: `wit crawl --warc FILE` as the CLI runs it
// (matching, per-query cap, SQLite), through the library call.
// Run: node dist/bench/warc/run-wit.js DB ARCHIVE
import { crawl } from '../../crawler/index.js';
import { openDb } from '../../db/index.js';

const [dbPath, archive] = process.argv.slice(2) as [string, string];
const db = openDb(dbPath, { create: false });
const started = performance.now();
const summary = await crawl(db, { source: { kind: 'warc', archives: [archive] } });
const wallSecs = (performance.now() - started) / 1000;
db.close();
const usage = process.resourceUsage();
console.log(
  JSON.stringify({
    records: summary.archives?.records.read ?? 0,
    pages: summary.pages.fetched,
    candidates: summary.pairs.stored + summary.pairs.duplicate + summary.pairs.overCap + summary.pairs.unmatched,
    stored: summary.pairs.stored,
    cpu_secs: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    wall_secs: wallSecs,
    max_rss_kib: usage.maxRSS,
  }),
);
