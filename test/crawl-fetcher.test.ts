import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchFailure, PoliteFetcher, type FetchRequest } from '../crawler/index.js';
import { openDb } from '../db/index.js';
import { startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { tempDir } from './fixtures/temp-dir.js';

const page: FetchRequest = { purpose: 'page', maxBytes: 10 * 1024 * 1024, onTooLarge: 'truncate' };
let site: OpenmojiSite;
let fetcher: PoliteFetcher;

beforeAll(async () => {
  site = await startOpenmojiSite();
  fetcher = new PoliteFetcher({ allowPrivate: true, hostDelayMillis: 0, retryBaseMillis: 20, maxRetries: 2, timeoutSecs: 2 });
});
afterAll(async () => {
  await fetcher.close();
  await site.close();
});

async function failure(url: string, request: FetchRequest = page, using = fetcher): Promise<FetchFailure> {
  const error = await using.fetch(url, request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchFailure);
  return error as FetchFailure;
}

describe('PoliteFetcher against the openmoji fixture site', () => {
  it('fetches a page and reads robots.txt once per host', async () => {
    const first = await fetcher.fetch(`${site.url}/sub/face-smiling/`, page);
    await fetcher.fetch(`${site.url}/sub/face-hat/`, page);
    expect(first.status).toBe(200);
    expect(first.contentType).toContain('text/html');
    expect(first.body.toString()).toContain('grinning face');
    expect(site.hits('/robots.txt')).toBe(1);
  });

  it('refuses what robots.txt disallows without requesting it', async () => {
    const error = await failure(`${site.url}/private/secret/`);
    expect(error.reason).toBe('robots');
    expect(error.retryable).toBe(false);
    expect(site.hits('/private/secret/')).toBe(0);
  });

  it('obeys Retry-After on 429 and then succeeds', async () => {
    const fetched = await fetcher.fetch(`${site.url}/fault/429`, page);
    expect(fetched.body.toString()).toContain('after 429');
    expect(site.hits('/fault/429')).toBe(2);
  });

  it('retries a 5xx with backoff, then gives a retryable http_500', async () => {
    const error = await failure(`${site.url}/fault/500`);
    expect(error).toMatchObject({ reason: 'http_500', retryable: true, status: 500 });
    expect(site.hits('/fault/500')).toBe(3);
  });

  it('recovers from one 503', async () => {
    expect((await fetcher.fetch(`${site.url}/fault/flaky`, page)).status).toBe(200);
  });

  it('names connection resets, truncated bodies and timeouts as retryable', async () => {
    expect(await failure(`${site.url}/fault/reset`)).toMatchObject({ reason: 'network', retryable: true });
    expect(await failure(`${site.url}/fault/truncated`)).toMatchObject({ reason: 'network', retryable: true });
    const impatient = new PoliteFetcher({ allowPrivate: true, hostDelayMillis: 0, maxRetries: 0, timeoutSecs: 1 });
    expect(await failure(`${site.url}/fault/slow`, page, impatient)).toMatchObject({ reason: 'timeout', retryable: true });
    await impatient.close();
  });

  it('stops a redirect loop after 5 redirects', async () => {
    const error = await failure(`${site.url}/fault/loop`);
    expect(error.reason).toBe('too_many_redirects');
    expect(site.hits('/fault/loop') + site.hits('/fault/loop-again')).toBe(6);
  });

  it('cuts a 50 MB page at maxBytes, or fails it', async () => {
    const cut = await fetcher.fetch(`${site.url}/fault/huge`, { purpose: 'page', maxBytes: 1024 * 1024, onTooLarge: 'truncate' });
    expect(cut.truncated).toBe(true);
    expect(cut.body.length).toBe(1024 * 1024);
    expect(cut.body.toString()).toContain('cat face at the top');
    const error = await failure(`${site.url}/fault/huge`, { purpose: 'image', maxBytes: 1024 * 1024, onTooLarge: 'fail' });
    expect(error.reason).toBe('too_large');
  });

  it('honours X-Robots-Tag: noai', async () => {
    expect((await failure(`${site.url}/fault/noai`)).reason).toBe('noai');
    expect((await failure(`${site.url}/fault/noai`, { ...page, purpose: 'image' })).reason).toBe('noai');
  });

  it('refuses loopback addresses unless allowPrivate, before connecting', async () => {
    const guarded = new PoliteFetcher({ hostDelayMillis: 0 });
    try {
      const before = site.hits('/robots.txt') + site.hits('/sub/face-hat/');
      for (const url of [
        `${site.url}/sub/face-hat/`,
        `${site.url.replace('127.0.0.1', 'localhost')}/sub/face-hat/`,
        'http://[::1]:9/',
        'http://169.254.169.254/latest/meta-data/',
      ]) {
        expect(await failure(url, page, guarded)).toMatchObject({ reason: 'private_address', retryable: false });
      }
      expect(site.hits('/robots.txt') + site.hits('/sub/face-hat/')).toBe(before);
    } finally {
      await guarded.close();
    }
  });

  it('refuses non-http URLs', async () => {
    expect((await failure('ftp://example.org/x')).reason).toBe('bad_url');
    expect((await failure('not a url')).reason).toBe('bad_url');
  });
});

describe('PoliteFetcher politeness', () => {
  it('keeps at most perHost requests in flight to one host, and caches robots.txt in the db', async () => {
    let inFlight = 0;
    let most = 0;
    let robots = 0;
    const server = createServer((request, response) => {
      if (request.url === '/robots.txt') {
        robots++;
        return void response.end('User-agent: *\nAllow: /\n');
      }
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        response.end('ok');
      }, 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const db = openDb(`${tempDir()}/robots.db`);
    try {
      const polite = new PoliteFetcher({ allowPrivate: true, perHost: 2, concurrency: 16, hostDelayMillis: 0, db });
      await Promise.all(Array.from({ length: 12 }, (_, i) => polite.fetch(`${base}/p${i}`, page)));
      await polite.close();
      expect(most).toBe(2);
      const again = new PoliteFetcher({ allowPrivate: true, hostDelayMillis: 0, db });
      await again.fetch(`${base}/again`, page);
      await again.close();
      expect(robots).toBe(1);
      expect(db.prepare('SELECT host, http_status FROM robots').all()).toEqual([{ host: base, http_status: 200 }]);
    } finally {
      db.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('treats a robots.txt that answers 503 as "try later"', async () => {
    const down = await startOpenmojiSite({ robotsStatus: 503 });
    try {
      const error = await failure(`${down.url}/sub/face-hat/`);
      expect(error).toMatchObject({ reason: 'robots_unavailable', retryable: true });
      expect(down.hits('/sub/face-hat/')).toBe(0);
    } finally {
      await down.close();
    }
  });
});
