import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CappedPairWriter, crawl, mergeDbs, type CrawlOptions } from '../crawler/index.js';
import { copyFileSync } from 'node:fs';
import { openDb, stableHash } from '../db/index.js';
import { makeCrawlDb, pairCounts, storedPairs } from './fixtures/crawl-db.js';
import { startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir();
const queries = ['cat', 'face', 'hat', 'grinning'];
let sites: OpenmojiSite[];

beforeAll(async () => {
  sites = await Promise.all([startOpenmojiSite(), startOpenmojiSite(), startOpenmojiSite()]);
});
afterAll(() => Promise.all(sites.map((site) => site.close())));

function options(partition?: { index: number; count: number }): CrawlOptions {
  const seeds = sites.flatMap((site) => [`${site.url}/sub/cat-face/`, `${site.url}/sub/face-hat/`, `${site.url}/private/secret/`]);
  return {
    source: { kind: 'site', seeds, maxDepth: 0 },
    fetcher: { allowPrivate: true, hostDelayMillis: 0 },
    ...(partition ? { partition } : {}),
  };
}

const pairKeys = (path: string) => {
  const db = openDb(path, { readonly: true });
  try {
    return storedPairs(db).map((p) => `${p.image_url} ${p.text}`);
  } finally {
    db.close();
  }
};

describe('site crawl in partitions (by host) + mergeDbs', () => {
  it('gives the pairs, pages and robots.txt answers of one crawl', async () => {
    const whole = makeCrawlDb(join(dir, 'whole.db'), queries);
    await crawl(whole, options());
    whole.close();
    const parts = [0, 1].map((index) => join(dir, `host-part-${index}.db`));
    for (const [index, part] of parts.entries()) {
      const db = makeCrawlDb(part, queries);
      await crawl(db, options({ index, count: 2 }));
      db.close();
    }
    const merged = join(dir, 'hosts-merged.db');
    const counts = mergeDbs(merged, parts);
    expect(pairKeys(merged)).toEqual(pairKeys(join(dir, 'whole.db')));
    expect(counts.pairs.stored).toBe(pairKeys(join(dir, 'whole.db')).length);
    const db = openDb(merged, { readonly: true });
    try {
      // Each partition knows every seed but fetched only its hosts' pages: the merge keeps the finished state.
      expect(db.prepare('SELECT state, error, count(*) AS n FROM pages GROUP BY 1, 2 ORDER BY 1').all()).toEqual([
        { state: 'done', error: null, n: 6 },
        { state: 'skipped', error: 'robots', n: 3 },
      ]);
      expect(db.prepare('SELECT count(*) AS n FROM robots').get()).toEqual({ n: 3 });
      for (const row of pairCounts(db)) expect(row.pair_count).toBe(row.actual);
    } finally {
      db.close();
    }
  });

  it('re-applies the cap and uniqueness when merging overlapping dbs', () => {
    const whole = join(dir, 'whole.db');
    const capped = join(dir, 'capped-merge.db');
    const counts = mergeDbs(capped, [whole, whole.replace('whole', 'host-part-0'), whole.replace('whole', 'host-part-1')], { cap: 3 });
    const db = openDb(capped, { readonly: true });
    try {
      expect(pairCounts(db).map((row) => [row.text, row.pair_count, row.actual])).toEqual(queries.map((q) => [q, 3, 3]).sort());
      expect(counts.pairs.stored).toBe(12);
      expect(counts.pairs.duplicate + counts.pairs.overCap).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('gives a pair whose query is full to another query its text matches', () => {
    const input = join(dir, 'full-query.db');
    const db = makeCrawlDb(input, ['cat', 'face']);
    const cat = (db.prepare("SELECT id FROM queries WHERE text = 'cat'").get() as { id: number }).id;
    const pair = (file: string, text: string) => ({
      imageUrl: `https://img.example.org/${file}`,
      text,
      textOrigin: 'alt' as const,
      pageUrl: null,
    });
    new CappedPairWriter(db, 20_000).storeForQuery(cat, [
      pair('cat.png', 'cat'),
      pair('cat-face.png', 'grinning cat face'),
      pair('black-cat.png', 'black cat'),
    ]);
    db.close();
    const merged = join(dir, 'full-query-merged.db');
    const counts = mergeDbs(merged, [input], { cap: 1 });
    const out = openDb(merged, { readonly: true });
    try {
      expect(storedPairs(out).map((p) => [p.text, p.query])).toEqual([
        ['grinning cat face', 'face'], // cat was full: face has room
        ['cat', 'cat'],
      ]);
      expect(counts.pairs).toEqual({ stored: 2, duplicate: 0, overCap: 1, queriesFilled: 2 });
      for (const row of pairCounts(out)) expect(row.pair_count).toBe(row.actual);
    } finally {
      out.close();
    }
  });

  it("reaches a host linked only from another partition's host in a second round on the merged db", async () => {
    const linked = await startOpenmojiSite();
    const hostShare = (site: OpenmojiSite) => stableHash(new URL(site.url).host) % 2;
    const linkers: OpenmojiSite[] = [];
    try {
      do linkers.push(await startOpenmojiSite({ homeLinks: [`${linked.url}/sub/cat-face/`] }));
      while (hostShare(linkers.at(-1)!) === hostShare(linked));
      const linker = linkers.at(-1)!;
      const crawlOptions = (index: number): CrawlOptions => ({
        source: { kind: 'site', seeds: [`${linker.url}/`], maxDepth: 1, allowHosts: ['127.0.0.1'] },
        fetcher: { allowPrivate: true, hostDelayMillis: 0 },
        partition: { index, count: 2 },
      });
      const parts = [0, 1].map((index) => join(dir, `round-part-${index}.db`));
      for (const [index, part] of parts.entries()) {
        const db = makeCrawlDb(part, queries);
        await crawl(db, crawlOptions(index));
        db.close();
      }
      const firstRound = join(dir, 'round-1.db');
      mergeDbs(firstRound, parts);
      expect(linked.hits('/sub/cat-face/')).toBe(0); // its partition never saw the link
      const linkedPart = join(dir, 'round-2-part.db');
      copyFileSync(firstRound, linkedPart);
      const db = openDb(linkedPart);
      await crawl(db, crawlOptions(hostShare(linked)));
      db.close();
      expect(linked.hits('/sub/cat-face/')).toBe(1);
      const pages = pairKeys(linkedPart).filter((key) => key.startsWith(linked.url));
      expect(pages.length).toBeGreaterThan(0);
    } finally {
      await Promise.all([linked, ...linkers].map((site) => site.close()));
    }
  });
});
