import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countIn as count, makeCrawlDb } from './fixtures/crawl-db.js';
import { runWitAsync } from './fixtures/crawl-run.js';
import { startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-faults-retry-');
const queries = ['cat', 'face', 'heart', 'star'];
let site: OpenmojiSite;

beforeAll(async () => {
  site = await startOpenmojiSite();
});
afterAll(() => site.close());

describe('wit crawl --retry-failed', () => {
  it.each([
    ['a private seed', ['--seed', 'SITE/', '--max-depth', '1']],
    ['every search query', ['--search', 'SITE/search?q={query}&page={page}', '--max-pages', '2']],
  ])('%s refused as private_address is tried again with --retry-failed --allow-private', async (_what, source) => {
    const db = join(dir, `${source[0]}.db`);
    makeCrawlDb(db, queries).close();
    const args = ['crawl', '--db', db, ...source.map((arg) => arg.replace('SITE', site.url)), '--host-delay', '0'];
    expect((await runWitAsync(args)).status).toBe(0);
    expect(count(db, 'SELECT count(*) FROM pairs')).toBe(0);
    const failed = "SELECT (SELECT count(*) FROM pages WHERE state = 'failed') + (SELECT count(*) FROM queries WHERE state = 'failed')";
    expect(count(db, failed)).toBeGreaterThan(0);

    // Without --retry-failed nothing is sent again.
    const before = site.hits('/') + site.hits('/search');
    expect((await runWitAsync([...args, '--allow-private'])).status).toBe(0);
    expect(site.hits('/') + site.hits('/search')).toBe(before);

    const retried = await runWitAsync([...args, '--allow-private', '--retry-failed', '--reason', 'private_address']);
    expect(retried.stderr).not.toMatch(/unexpected/);
    expect(retried.status).toBe(0);
    expect(retried.stderr).toMatch(/trying again \d+ failed pages and \d+ failed queries \(private_address\)/);
    expect(count(db, 'SELECT count(*) FROM pairs')).toBeGreaterThan(0);
    expect(count(db, failed)).toBe(0);
  });
});
