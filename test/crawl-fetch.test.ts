import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../db/index.js';
import { makeCrawlDb } from './fixtures/crawl-db.js';
import { loopbackCrawlArgs, runWitAsync, searchSource } from './fixtures/crawl-run.js';
import { startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir();
let site: OpenmojiSite;

beforeAll(async () => {
  site = await startOpenmojiSite();
});
afterAll(() => site.close());

describe('wit crawl --fetch', () => {
  it('tries the image of every pair it stores, alongside and after discovery', async () => {
    const path = join(dir, 'crawl-fetch.db');
    makeCrawlDb(path, ['cat', 'heart', 'star', 'moon']).close();
    const result = await runWitAsync([...loopbackCrawlArgs(path, searchSource(site.url, 5), '--fetch', '--images', join(dir, 'images'))]);
    expect(result.status, result.stderr).toBe(0);

    const db = openDb(path, { readonly: true });
    const pairImages = db.prepare('SELECT count(DISTINCT image_url) FROM pairs').pluck().get() as number;
    const states = db.prepare("SELECT state, coalesce(error, '') AS error, count(*) AS n FROM images GROUP BY 1, 2").all();
    const untried = db
      .prepare('SELECT count(*) FROM pairs p LEFT JOIN images i ON i.url = p.image_url WHERE i.state IS NULL OR i.state = ?')
      .pluck()
      .get('pending');
    db.close();

    expect(pairImages).toBeGreaterThan(10);
    expect(untried).toBe(0);
    // The fixture serves SVG, which fetch refuses unless --allow-svg.
    expect(states).toEqual([{ state: 'failed', error: 'svg_refused', n: pairImages }]);
    expect(result.stdout).toMatch(/svg_refused/);
  });
});
