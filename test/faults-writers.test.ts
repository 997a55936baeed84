import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countIn as count, makeCrawlDb } from './fixtures/crawl-db.js';
import { exited, loopbackCrawlArgs, runWitAsync, searchSource, waitFor } from './fixtures/crawl-run.js';
import { openmojiQueries, startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { startWit } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-faults-writers-');
const queries = openmojiQueries.slice(0, 12);
const concurrency = 4;
let site: OpenmojiSite;

beforeAll(async () => {
  // Slow answers: the first crawl is still at work when the second starts.
  site = await startOpenmojiSite({ searchDelayMillis: 400 });
});
afterAll(() => site.close());

const crawlArgs = (db: string) =>
  loopbackCrawlArgs(db, searchSource(site.url, 30), '--concurrency', String(concurrency), '--per-host', String(concurrency));

describe('one writer per db', () => {
  it("a second crawl is refused at once naming the first; a SIGKILLed crawl's lock is taken over; no page is fetched twice", async () => {
    const db = join(dir, 'two.db');
    makeCrawlDb(db, queries).close();
    const before = site.hits('/search');
    const first = startWit(crawlArgs(db));
    const firstEnd = exited(first);
    await waitFor(() => count(db, 'SELECT count(*) FROM pairs') >= 1, 'a pair stored');
    expect(count(db, "SELECT count(*) FROM queries WHERE state != 'done'")).toBeGreaterThan(0);

    const second = await runWitAsync(crawlArgs(db));
    expect(second.stderr).not.toMatch(/unexpected failure/);
    expect(second.status, second.stdout + second.stderr).toBe(1);
    expect(second.stderr).toContain(`is in use by wit crawl (pid ${first.pid}, since `);
    expect(second.stdout).toBe('');

    first.kill('SIGKILL');
    expect((await firstEnd).signal).toBe('SIGKILL');
    const third = await runWitAsync(crawlArgs(db));
    expect(third.stderr).not.toMatch(/in use by/);
    expect(third.status).toBe(0);
    expect(count(db, "SELECT count(*) FROM queries WHERE state != 'done'")).toBe(0);
    const hitsOfAll = site.hits('/search') - before;

    // One undisturbed crawl asks for each search page once. Asked twice may be only what the kill caught unfinished: the
    // pages in flight (up to --concurrency) and the pages already answered whose pairs were not yet committed (as many).
    // A resume that ignored the stored state would ask for all of them again.
    const reference = join(dir, 'reference.db');
    makeCrawlDb(reference, queries).close();
    const referenceStart = site.hits('/search');
    expect((await runWitAsync(crawlArgs(reference))).status).toBe(0);
    expect(hitsOfAll).toBeLessThanOrEqual(site.hits('/search') - referenceStart + 2 * concurrency);
    expect(count(db, 'SELECT count(*) FROM pairs')).toBe(count(reference, 'SELECT count(*) FROM pairs'));
  });

  it('SIGTERM stops a crawl cleanly with exit 143 (SIGINT is 130)', async () => {
    const db = join(dir, 'term.db');
    makeCrawlDb(db, queries).close();
    const child = startWit(crawlArgs(db));
    const end = exited(child);
    await waitFor(() => count(db, 'SELECT count(*) FROM pairs') >= 1, 'a pair stored');
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const { code } = await end;
    clearTimeout(killer);
    expect(code).toBe(143);
  });
});
