import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawl, formatCrawlSummary, type CrawlOptions } from '../crawler/index.js';
import type { WitDb } from '../db/index.js';
import { QueryMatcher } from '../queries/index.js';
import { makeCrawlDb, pairCounts, storedPairs } from './fixtures/crawl-db.js';
import { imageForm, startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir();
const queries = ['cat', 'face', 'red heart', 'grinning', 'flag', 'hand'];
const fetcher = { allowPrivate: true, hostDelayMillis: 0, retryBaseMillis: 10, maxRetries: 1 };
let site: OpenmojiSite;

beforeAll(async () => {
  site = await startOpenmojiSite();
});
afterAll(() => site.close());

function site1(db: WitDb, overrides: Partial<CrawlOptions> = {}, seeds = [`${site.url}/`], maxDepth = 1) {
  return crawl(db, { source: { kind: 'site', seeds, maxDepth }, fetcher, ...overrides });
}

/** Every (image URL, text) the subgroup pages show, as extraction must read them. */
function shownPairs(): Array<{ imageUrl: string; text: string }> {
  const pairs: Array<{ imageUrl: string; text: string }> = [];
  for (const subgroup of site.subgroups) {
    site.emojis
      .filter((emoji) => emoji.subgroup === subgroup)
      .forEach((emoji, i) => {
        const image = `${site.url}/img/${emoji.hexcode}.svg`;
        const form = imageForm(i);
        pairs.push({ imageUrl: form === 'srcset' ? `${image}?w=618` : image, text: emoji.annotation });
        if (form === 'plain-with-title' && emoji.tags) pairs.push({ imageUrl: image, text: emoji.tags });
      });
  }
  return pairs;
}

describe('crawl --seed (site source)', () => {
  it('stores the pairs whose text matches a query, each counted against a query it matches', async () => {
    const db = makeCrawlDb(join(dir, 'site.db'), queries);
    try {
      const summary = await site1(db);
      const matcher = QueryMatcher.build(queries.map((text, id) => ({ id, text })));
      const expected = new Set(
        shownPairs()
          .filter((p) => matcher.match(p.text).length > 0)
          .map((p) => `${p.imageUrl} ${p.text}`),
      );
      expect(expected.size).toBeGreaterThan(300);
      expect(new Set(storedPairs(db).map((p) => `${p.image_url} ${p.text}`))).toEqual(expected);
      for (const pair of storedPairs(db)) expect(QueryMatcher.build([{ id: 1, text: pair.query }]).match(pair.text)).toEqual([1]);
      for (const row of pairCounts(db)) expect(row.pair_count).toBe(row.actual);
      expect(summary.pairs.unmatched).toBeGreaterThan(0);
      expect(summary.pages.fetched).toBe(1 + site.subgroups.length + 3);
      // A site crawl walks pages, not queries: no "queries: 0 finished by this run, N left".
      expect(formatCrawlSummary(summary)).not.toMatch(/queries:/);
      expect(db.prepare("SELECT state, error FROM pages WHERE url LIKE '%/private/%'").get()).toEqual({
        state: 'skipped',
        error: 'robots',
      });
      expect(site.hits('/private/secret/')).toBe(0);
      expect(db.prepare("SELECT count(*) AS n FROM pages WHERE url LIKE '%elsewhere%'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('does not fetch finished pages again on a second run', async () => {
    const db = makeCrawlDb(join(dir, 'rerun.db'), queries);
    try {
      await site1(db, {}, [`${site.url}/sub/face-smiling/`, `${site.url}/sub/cat-face/`], 0);
      const hits = site.hits('/sub/face-smiling/');
      const pairs = storedPairs(db).length;
      const again = await site1(db, {}, [`${site.url}/sub/face-smiling/`, `${site.url}/sub/cat-face/`], 0);
      expect(again.pages.fetched).toBe(0);
      expect(site.hits('/sub/face-smiling/')).toBe(hits);
      expect(storedPairs(db).length).toBe(pairs);
    } finally {
      db.close();
    }
  });

  it('holds the cap when pages offer more pairs than it allows', async () => {
    const db = makeCrawlDb(join(dir, 'cap.db'), ['cat', 'face']);
    try {
      const summary = await site1(db, { cap: 4 }, [`${site.url}/sub/cat-face/`, `${site.url}/sub/face-smiling/`], 0);
      expect(pairCounts(db)).toEqual([
        { text: 'cat', pair_count: 4, actual: 4 },
        { text: 'face', pair_count: 4, actual: 4 },
      ]);
      expect(summary.pairs.overCap).toBeGreaterThan(0);
      expect(summary.queries).toEqual({ finished: 2, left: 0 });
      expect(formatCrawlSummary(summary)).toContain('queries: 2 reached the cap in this run, 0 below it');
      expect(db.prepare("SELECT count(*) AS n FROM queries WHERE state = 'done'").get()).toEqual({ n: 2 });
    } finally {
      db.close();
    }
  });

  it('records every fault with its reason and goes on', async () => {
    const db = makeCrawlDb(join(dir, 'faults.db'), ['cat']);
    try {
      const summary = await site1(db, { fetcher: { ...fetcher, timeoutSecs: 2 }, maxPageBytes: 1024 * 1024 }, [`${site.url}/faults/`]);
      const pages = Object.fromEntries(
        (db.prepare('SELECT url, state, error FROM pages').all() as Array<{ url: string; state: string; error: string | null }>).map(
          (p) => [new URL(p.url).pathname, `${p.state} ${p.error}`],
        ),
      );
      expect(pages).toEqual({
        '/faults/': 'done null',
        '/fault/slow': 'pending timeout',
        '/fault/429': 'done null',
        '/fault/500': 'pending http_500',
        '/fault/flaky': 'done null',
        '/fault/reset': 'pending network',
        '/fault/truncated': 'pending network',
        '/fault/loop': 'failed too_many_redirects',
        '/fault/huge': 'done truncated',
        '/fault/noai': 'skipped noai',
        '/fault/meta-noindex': 'skipped noindex',
        '/fault/not-html': 'skipped not_html',
        '/private/secret/': 'skipped robots',
      });
      expect(
        storedPairs(db)
          .map((p) => p.text)
          .sort(),
      ).toEqual(['cat face after 429', 'cat face at the top', 'cat face flaky']);
      expect(summary.pages).toEqual({ fetched: 4, failed: 1, skipped: 4, deferred: 4 });
      expect(summary.topReasons[0]).toEqual(['network', 2]);
      expect(summary.waiting.count).toBe(4);
      const deferred = db.prepare("SELECT next_try_at FROM pages WHERE state = 'pending'").all() as Array<{ next_try_at: string }>;
      for (const row of deferred) expect(Date.parse(row.next_try_at)).toBeGreaterThan(Date.now());
    } finally {
      db.close();
    }
  });
});

const chromium = '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.warn(`\n*** SKIPPING the --render tests: ${chromium} is missing. Install it: apt-get install chromium ***\n`);
}

describe.skipIf(!existsSync(chromium))('crawl --render with chromium', () => {
  const scripted = () => site.subgroups.slice(0, 3).map((s) => `${site.url}/script/${s}/`);

  it('finds no pairs on script-built pages without rendering', async () => {
    const db = makeCrawlDb(join(dir, 'never.db'), ['face', 'grinning', 'smiling']);
    try {
      await site1(db, { render: 'never' }, scripted(), 0);
      expect(storedPairs(db)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('renders script-built pages in auto mode and reads their images', async () => {
    const db = makeCrawlDb(join(dir, 'auto.db'), ['face', 'grinning', 'smiling']);
    try {
      const apiHits = site.hits(`/api/subgroup/${site.subgroups[0]}.json`);
      await site1(db, { render: 'auto' }, [...scripted(), `${site.url}/sub/face-hat/`], 0);
      const texts = storedPairs(db).map((p) => p.text);
      expect(texts).toContain('grinning face');
      expect(texts).toContain('cowboy hat face');
      // The page's XHR went through the polite fetcher.
      expect(site.hits(`/api/subgroup/${site.subgroups[0]}.json`)).toBe(apiHits + 1);
      expect(db.prepare("SELECT count(*) AS n FROM pages WHERE state = 'done' AND error IS NULL").get()).toEqual({ n: 4 });
    } finally {
      db.close();
    }
  });
});
