import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawl, mergeDbs } from '../crawler/index.js';
import { openDb, type WitDb } from '../db/index.js';
import { makeCrawlDb, pairCounts, storedPairs } from './fixtures/crawl-db.js';
import { openmojiQueries, startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { exited, loopbackCrawlArgs, runWitAsync, searchSource, waitFor } from './fixtures/crawl-run.js';
import { metaRecord } from './fixtures/db-meta.js';
import { startWit } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir();
const queries = openmojiQueries;
let site: OpenmojiSite;

beforeAll(async () => {
  // Slow enough answers that a kill lands mid-crawl on a fast machine too.
  site = await startOpenmojiSite({ searchDelayMillis: 40 });
});
afterAll(() => site.close());

const crawlArgs = (db: string, ...extra: string[]) =>
  loopbackCrawlArgs(db, searchSource(site.url, 30), '--concurrency', '4', '--per-host', '4', ...extra);

function pairSet(db: WitDb): string[] {
  return storedPairs(db)
    .map((p) => `${p.image_url} ${p.text}`)
    .sort();
}

function readPairs(path: string): { pairs: string[]; counts: ReturnType<typeof pairCounts> } {
  const db = openDb(path, { readonly: true });
  try {
    return { pairs: pairSet(db), counts: pairCounts(db) };
  } finally {
    db.close();
  }
}

function countPairs(path: string): number {
  const db = openDb(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM pairs').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

let reference: { pairs: string[]; searchHits: number };

describe('wit crawl (CLI)', () => {
  it('crawls a search source to the end and prints a summary', async () => {
    const path = join(dir, 'reference.db');
    makeCrawlDb(path, queries).close();
    const before = site.hits('/search');
    const result = await runWitAsync(crawlArgs(path));
    expect(result.stderr).not.toMatch(/unexpected/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/crawl finished/);
    expect(result.stdout).toMatch(/pairs: \d+ stored/);
    reference = { ...readPairs(path), searchHits: site.hits('/search') - before };
    expect(reference.pairs.length).toBeGreaterThan(200);
    // The options as resolved: the defaults of what was not typed are recorded too.
    expect(metaRecord(path, 'crawl.config')).toMatchObject({
      cap: 20_000,
      render: 'never',
      source: { kind: 'search', maxPages: 30 },
      fetcher: { concurrency: 4, maxRetries: 3, timeoutSecs: 30 },
    });
  });

  it('resumes after SIGKILL: nothing lost, nothing twice, counts right, done pages not fetched again', async () => {
    const path = join(dir, 'killed.db');
    makeCrawlDb(path, queries).close();
    const before = site.hits('/search');
    const child = startWit(crawlArgs(path));
    const end = exited(child);
    await waitFor(() => countPairs(path) >= 40, '40 pairs stored');
    child.kill('SIGKILL');
    expect((await end).signal).toBe('SIGKILL');
    const atKill = countPairs(path);
    expect(atKill).toBeLessThan(reference.pairs.length);
    const resumed = await runWitAsync(crawlArgs(path));
    expect(resumed.status).toBe(0);
    const after = readPairs(path);
    expect(after.pairs).toEqual(reference.pairs);
    for (const row of after.counts) expect(row.pair_count).toBe(row.actual);
    expect(site.hits('/search') - before).toBeLessThan(reference.searchHits + queries.length);
  });

  it('stops cleanly on Ctrl-C (SIGINT), keeping what it stored, and resumes', async () => {
    const path = join(dir, 'interrupted.db');
    makeCrawlDb(path, queries).close();
    const child = startWit(crawlArgs(path));
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const end = exited(child);
    await waitFor(() => countPairs(path) >= 30, '30 pairs stored');
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const { code } = await end;
    clearTimeout(killer);
    expect(code).toBe(130);
    expect(stdout).toMatch(/crawl stopped/);
    expect((await runWitAsync(crawlArgs(path))).status).toBe(0);
    expect(readPairs(path).pairs).toEqual(reference.pairs);
  });

  it('crawls in 3 partitions whose merge equals the one crawl', async () => {
    const parts = [1, 2, 3].map((i) => join(dir, `part-${i}.db`));
    for (const part of parts) makeCrawlDb(part, queries).close();
    const results = await Promise.all(parts.map((part, i) => runWitAsync(crawlArgs(part, '--partition', `${i + 1}/3`))));
    for (const result of results) expect(result.status, result.stderr).toBe(0);
    const sizes = parts.map(countPairs);
    expect(sizes.every((n) => n > 0 && n < reference.pairs.length)).toBe(true);
    const merged = join(dir, 'merged.db');
    const result = await runWitAsync(['db', 'merge', merged, ...parts]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/pairs added from 3 dbs/);
    const after = readPairs(merged);
    expect(after.pairs).toEqual(reference.pairs);
    for (const row of after.counts) expect(row.pair_count).toBe(row.actual);
    const db = openDb(merged, { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM queries WHERE state <> 'done'").get()).toEqual({ n: 0 });
    db.close();

    const capped = join(dir, 'capped.db');
    mergeDbs(capped, parts, { cap: 5 });
    for (const row of readPairs(capped).counts) {
      expect(row.pair_count).toBeLessThanOrEqual(5);
      expect(row.pair_count).toBe(row.actual);
    }
  });

  it('names the flag or the file in its errors', async () => {
    const path = join(dir, 'errors.db');
    makeCrawlDb(path, queries).close();
    const noSource = await runWitAsync(['crawl', '--db', path]);
    expect(noSource.status).toBe(2);
    expect(noSource.stderr).toMatch(/Give exactly one source: --search URL_TEMPLATE, --seed URL/);
    const badPartition = await runWitAsync(crawlArgs(path, '--partition', '4/3'));
    expect(badPartition.stderr).toMatch(/--partition must be i\/N/);
    const missing = await runWitAsync(crawlArgs(join(dir, 'nope.db')));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope\.db does not exist/);
    const empty = openDb(join(dir, 'empty.db'));
    await expect(crawl(empty, { source: { kind: 'site', seeds: [`${site.url}/`] } })).rejects.toThrow(/no queries/);
    empty.close();
    expect(() => mergeDbs(join(dir, 'm.db'), [join(dir, 'absent.db')])).toThrow(/absent\.db does not exist/);
    expect(() => mergeDbs(path, [path])).toThrow(/both the output and an input/);
  });

  it('refuses a loopback site without --allow-private, recording the reason', async () => {
    const path = join(dir, 'guarded.db');
    makeCrawlDb(path, queries).close();
    const result = await runWitAsync(['crawl', '--db', path, '--seed', `${site.url}/`, '--host-delay', '0']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout, result.stderr).toMatch(/top reasons: private_address 1/);
    expect(result.stderr).toMatch(/no --user-agent given; .*--user-agent 'mylab-bot/); // a crawl of the web should say who runs it
    const named = await runWitAsync([
      'crawl',
      '--db',
      path,
      '--seed',
      `${site.url}/`,
      '--user-agent',
      'wit-tests/1.0 (+https://example.org/)',
    ]);
    expect(named.stderr).not.toMatch(/no --user-agent given/);
    const db = openDb(path, { readonly: true });
    expect(db.prepare('SELECT state, error FROM pages').all()).toEqual([{ state: 'failed', error: 'private_address' }]);
    db.close();
  });
});
