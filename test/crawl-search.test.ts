import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawl, type CrawlOptions } from '../crawler/index.js';
import type { WitDb } from '../db/index.js';
import { QueryMatcher } from '../queries/index.js';
import { makeCrawlDb, pairCounts, storedPairs } from './fixtures/crawl-db.js';
import { searchEmojis, startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir();
const queries = ['cat', 'face', 'red heart', 'dog', 'zebra', 'unfindable words'];
let site: OpenmojiSite;

beforeAll(async () => {
  site = await startOpenmojiSite();
});
afterAll(() => site.close());

const fetcher = { allowPrivate: true, hostDelayMillis: 0, retryBaseMillis: 10 };

function contains(text: string, query: string): boolean {
  return QueryMatcher.build([{ id: 1, text: query }]).match(text).length > 0;
}

/** The (image, text) pairs a full search crawl must find: results whose annotation contains the query. */
function expectedPairs(forQueries: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const query of forQueries) {
    for (const emoji of searchEmojis(site.emojis, query)) {
      if (contains(emoji.annotation, query)) keys.add(`${site.url}/img/${emoji.hexcode}.svg ${emoji.annotation}`);
    }
  }
  return [...keys].sort();
}

function pairKeys(db: WitDb): string[] {
  return storedPairs(db)
    .map((p) => `${p.image_url} ${p.text}`)
    .sort();
}

function run(db: WitDb, overrides: Partial<CrawlOptions> = {}) {
  return crawl(db, {
    source: { kind: 'search', urlTemplate: `${site.url}/search?q={query}&page={page}`, maxPages: 50 },
    fetcher,
    ...overrides,
  });
}

describe('crawl --search (HTML)', () => {
  it('stores every result whose text contains its query, counted against it', async () => {
    const db = makeCrawlDb(join(dir, 'html.db'), queries);
    try {
      const summary = await run(db);
      expect(pairKeys(db)).toEqual(expectedPairs(queries));
      for (const pair of storedPairs(db)) expect(contains(pair.text, pair.query)).toBe(true);
      for (const row of pairCounts(db)) expect(row.pair_count).toBe(row.actual);
      expect(summary.pairs.stored).toBe(expectedPairs(queries).length);
      expect(summary.pairs.unmatched).toBeGreaterThan(0); // results found by tag, or the page's logo
      expect(db.prepare("SELECT count(*) AS n FROM queries WHERE state = 'done'").get()).toEqual({ n: queries.length });
      expect(summary.queries).toEqual({ finished: queries.length, left: 0 });
    } finally {
      db.close();
    }
  });

  it('stops when the endpoint repeats its last page, and keeps the cursor', async () => {
    const db = makeCrawlDb(join(dir, 'cursor.db'), ['dog']);
    try {
      const before = site.hits('/search');
      await run(db);
      const resultPages = Math.ceil(searchEmojis(site.emojis, 'dog').length / 10);
      expect(site.hits('/search') - before).toBe(resultPages + 1);
      expect(db.prepare('SELECT state, cursor FROM queries').get()).toEqual({ state: 'done', cursor: String(resultPages + 2) });
    } finally {
      db.close();
    }
  });

  it('holds the cap per query and stops paging at it', async () => {
    const db = makeCrawlDb(join(dir, 'cap.db'), ['face', 'cat']);
    try {
      const before = site.hits('/search');
      await run(db, { cap: 7 });
      expect(pairCounts(db)).toEqual([
        { text: 'cat', pair_count: 7, actual: 7 },
        { text: 'face', pair_count: 7, actual: 7 },
      ]);
      expect(site.hits('/search') - before).toBeLessThanOrEqual(4);
      const again = await run(db, { cap: 7 });
      expect(again.pages.fetched).toBe(0);
    } finally {
      db.close();
    }
  });

  it('stops at --max-pages and resumes from the stored cursor with a larger one', async () => {
    const db = makeCrawlDb(join(dir, 'pages.db'), ['face']);
    try {
      const source = { kind: 'search' as const, urlTemplate: `${site.url}/search?q={query}&page={page}` };
      await crawl(db, { source: { ...source, maxPages: 2 }, fetcher });
      expect(db.prepare('SELECT state, cursor FROM queries').get()).toEqual({ state: 'done', cursor: '3' });
      db.prepare("UPDATE queries SET state = 'pending'").run();
      const before = site.hits('/search');
      const resumed = await crawl(db, { source: { ...source, maxPages: 3 }, fetcher });
      expect(site.hits('/search') - before).toBe(1);
      expect(resumed.pages.fetched).toBe(1);
    } finally {
      db.close();
    }
  });
});

describe('crawl --search (JSON)', () => {
  it('reads results through the JSON mapping and stops at an empty page', async () => {
    const db = makeCrawlDb(join(dir, 'json.db'), queries);
    try {
      await run(db, {
        source: {
          kind: 'search',
          urlTemplate: `${site.url}/api/search?q={query}&page={page}`,
          json: { results: 'data.items', image: 'img.src', text: 'caption' },
        },
      });
      expect(pairKeys(db)).toEqual(expectedPairs(queries));
      expect(new Set(storedPairs(db).map((p) => p.text_origin))).toEqual(new Set(['api']));
    } finally {
      db.close();
    }
  });

  it('fails a query whose response is not the mapped JSON, with reason bad_response', async () => {
    const db = makeCrawlDb(join(dir, 'badjson.db'), ['cat']);
    try {
      const summary = await run(db, {
        source: {
          kind: 'search',
          urlTemplate: `${site.url}/search?q={query}&page={page}`,
          json: { results: 'data.items', image: 'img.src', text: 'caption' },
        },
      });
      expect(summary.topReasons).toEqual([['bad_response', 1]]);
      expect(db.prepare('SELECT state, error FROM queries').get()).toEqual({ state: 'failed', error: 'bad_response' });
    } finally {
      db.close();
    }
  });
});
