import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCrawlDb } from './fixtures/crawl-db.js';
import { loopbackCrawlArgs, loopbackFetchArgs, runWitAsync, searchSource } from './fixtures/crawl-run.js';
import { runWit } from './fixtures/run-wit.js';
import { startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { tempDir } from './fixtures/temp-dir.js';
import { tinyModelArgs } from './fixtures/train-args.js';

const dir = tempDir();
let site: OpenmojiSite;

beforeAll(async () => {
  site = await startOpenmojiSite();
});
afterAll(() => site.close());

/** stdout holds exactly one line, a JSON object: nothing else goes there with --json. */
function onlyJson(stdout: string): Record<string, unknown> {
  expect(stdout.endsWith('\n')).toBe(true);
  expect(stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('--json summaries', () => {
  it('crawl, fetch, shards build and train each print one JSON object with the figures, progress on stderr', async () => {
    const db = join(dir, 'day.db');
    const images = join(dir, 'images');
    makeCrawlDb(db, ['cat', 'heart', 'star', 'moon']).close();
    const crawled = await runWitAsync(loopbackCrawlArgs(db, searchSource(site.url, 3), '--json'));
    expect(crawled.status, crawled.stderr).toBe(0);
    const crawl = onlyJson(crawled.stdout) as {
      pages: { fetched: number };
      pairs: { stored: number };
      queries: { finished: number };
      stopped: boolean;
    };
    expect(crawl.pages.fetched).toBeGreaterThan(0);
    expect(crawl.pairs.stored).toBeGreaterThan(10);
    expect(crawl.queries.finished).toBe(4);
    expect(crawl.stopped).toBe(false);
    expect(crawled.stderr).toMatch(/^crawl: \d+ pages/m);

    const fetched = await runWitAsync(loopbackFetchArgs(db, images, '--allow-svg', '--json'));
    expect(fetched.status, fetched.stderr).toBe(0);
    const fetch = onlyJson(fetched.stdout) as { ok: number; failed: number; downloadedBytes: number; failures: unknown[] };
    expect(fetch.ok).toBeGreaterThan(10);
    expect(fetch.failed).toBe(0);
    expect(fetch.downloadedBytes).toBeGreaterThan(1000);
    expect(fetch.failures).toEqual([]);

    const out = join(dir, 'shards');
    const built = await runWitAsync(['shards', 'build', '--db', db, '--images', images, '--out', out, '--val-fraction', '0.2', '--json']);
    expect(built.status, built.stderr).toBe(0);
    const build = onlyJson(built.stdout) as { pairs: number; train: number; val: number; dropped: Record<string, number>; outDir: string };
    expect(build.pairs).toBe(crawl.pairs.stored);
    expect(build.train + build.val + Object.values(build.dropped).reduce((a, b) => a + b, 0)).toBe(build.pairs);
    expect(build.train).toBeGreaterThan(0);
    expect(build.outDir).toBe(out);
    // A phase ends at all its pairs, not at its last tick (which was at 0 for a small input).
    expect(built.stderr).toMatch(/^shards filter: ([\d,]+)\/\1 pairs \(100\.0%\)/m);

    // A pair from a search: plain objects, no page (its page is a search result), the curation decision and reason apart.
    const shown = runWit(['db', 'show', 'pair', '1', '--db', db, '--json']);
    expect(shown.status, shown.stderr).toBe(0);
    const pair = JSON.parse(shown.stdout) as Record<string, Record<string, unknown> | null>;
    expect(Object.keys(pair)).toEqual(['pair', 'query', 'image', 'curation']);
    expect(pair.pair).toMatchObject({ id: 1, text_origin: 'alt' });
    expect(typeof pair.query?.text).toBe('string');
    expect(pair.image).toMatchObject({ state: 'ok' });
    expect(['train', 'val', 'drop']).toContain(pair.curation?.decision);
    expect(pair.curation).toHaveProperty('reason');

    const model = tinyModelArgs('8', 4);
    const trained = await runWitAsync(['train', '--shards', out, '--out', join(dir, 'run'), ...model, '--steps', '3', '--json']);
    expect(trained.status, trained.stderr).toBe(0);
    const run = onlyJson(trained.stdout) as {
      steps: number;
      totalSteps: number;
      backend: { name: string };
      last: { loss: number };
      outDir: string;
    };
    expect(run.steps).toBe(3);
    expect(run.totalSteps).toBe(3);
    expect(run.backend.name).toBe('wasm');
    expect(Number.isFinite(run.last.loss)).toBe(true);
    expect(run.outDir).toBe(join(dir, 'run'));
  });

  it('crawl --fetch --json holds the fetch rounds under images', async () => {
    const db = join(dir, 'both.db');
    makeCrawlDb(db, ['cat', 'star']).close();
    const result = await runWitAsync([
      ...loopbackCrawlArgs(db, searchSource(site.url, 2), '--fetch', '--images', join(dir, 'both-images'), '--json'),
    ]);
    expect(result.status, result.stderr).toBe(0);
    const summary = onlyJson(result.stdout) as {
      pairs: { stored: number };
      images: { ok: number; failed: number; failures: Array<[string, number]> };
    };
    // The fixture serves SVG, which fetch (with its defaults) refuses.
    expect(summary.images.failed).toBeGreaterThan(0);
    expect(summary.images.failures).toEqual([['svg_refused', summary.images.failed]]);
  });
});
