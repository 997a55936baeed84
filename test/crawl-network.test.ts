import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchFailure, PoliteFetcher, type FetchRequest } from '../crawler/index.js';
import { fetchImages } from '../fetch/index.js';
import { openDb, writeRobots } from '../db/index.js';
import { makeCrawlDb } from './fixtures/crawl-db.js';
import { runWitAsync } from './fixtures/crawl-run.js';
import { dbWithPairs } from './fixtures/images-db.js';
import { makePng } from './fixtures/images-make.js';
import { startImageServer, type ImageServer } from './fixtures/images-server.js';
import { loadEmojis } from './fixtures/openmoji-site.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir();
const page: FetchRequest = { purpose: 'page', maxBytes: 1024 * 1024, onTooLarge: 'truncate' };
const image: FetchRequest = { purpose: 'image', maxBytes: 1024 * 1024, onTooLarge: 'fail' };
const pageCount = 40;
const emojis = loadEmojis().slice(0, pageCount * 3);

/**
 * A site of `pageCount` pages in a binary tree (page n links to 2n+1 and 2n+2),
 * three real openmoji names each as alts of PNG images on the same host; every
 * answer is delayed so that the crawl lasts past the first fetch rounds and
 * requests overlap. Page 3 says `X-Robots-Tag: noimageai`: its links count, its images do not.
 */
async function startChainSite(): Promise<ImageServer> {
  const server = await startImageServer();
  const png = await makePng(1, 96, 96);
  for (let n = 0; n < pageCount; n++) {
    const trio = emojis.slice(n * 3, n * 3 + 3);
    const images = trio.map((emoji, k) => `<img src="/img/${n}-${k}.png" alt="${emoji.annotation}">`).join('');
    const next = [2 * n + 1, 2 * n + 2]
      .filter((child) => child < pageCount)
      .map((child) => `<a href="/page/${child}">next</a>`)
      .join('');
    server.route(`/page/${n}`, {
      body: Buffer.from(`<!doctype html><title>page ${n}</title>${images}${next}`),
      contentType: 'text/html; charset=utf-8',
      delayMillis: 150,
      ...(n === 3 ? { headers: { 'X-Robots-Tag': 'noimageai' } } : {}),
    });
    for (let k = 0; k < 3; k++) server.route(`/img/${n}-${k}.png`, { body: png, contentType: 'image/png', delayMillis: 150 });
  }
  return server;
}

describe('wit crawl --fetch on a host that serves pages and images', () => {
  let site: ImageServer;
  const path = join(dir, 'chain.db');

  beforeAll(async () => {
    site = await startChainSite();
    makeCrawlDb(
      path,
      emojis.map((emoji) => emoji.annotation),
    ).close();
    const result = await runWitAsync([
      'crawl',
      '--db',
      path,
      '--seed',
      `${site.origin}/page/0`,
      '--max-depth',
      String(pageCount),
      '--allow-private',
      '--per-host',
      '2',
      '--host-delay',
      '0',
      '--fetch',
      '--images',
      join(dir, 'chain-images'),
    ]);
    expect(result.status, result.stderr).toBe(0);
  });

  it('never has more than --per-host requests in flight to it, across discovery and fetch', () => {
    expect(site.hits.get(`/page/${pageCount - 1}`)).toBe(1);
    expect(site.hits.get('/img/0-0.png')).toBe(1);
    expect(site.maxInFlight()).toBe(2);
  });

  it('keys the host the same in pages and images, port included', () => {
    const db = openDb(path, { readonly: true });
    const hosts = db.prepare('SELECT host FROM pages UNION SELECT host FROM images').pluck().all();
    const okImages = db.prepare("SELECT count(*) FROM images WHERE state = 'ok'").pluck().get();
    db.close();
    expect(hosts).toEqual([new URL(site.origin).host]);
    expect(okImages).toBe((pageCount - 1) * 3);
  });

  it('follows the links of a noimageai page but stores none of its images', () => {
    const db = openDb(path, { readonly: true });
    const fromPage3 = db.prepare("SELECT count(*) FROM pairs WHERE image_url LIKE '%/img/3-%'").pluck().get();
    const page3 = db.prepare("SELECT state, error FROM pages WHERE url LIKE '%/page/3'").get();
    db.close();
    expect(fromPage3).toBe(0);
    expect(page3).toEqual({ state: 'done', error: 'noimageai' });
    expect(site.hits.get('/page/7')).toBe(1);
  });
});

describe('the host key of existing dbs', () => {
  it('is rewritten to keep a non-default port in images.host (schema 5)', () => {
    const path = join(dir, 'schema4.db');
    const db = dbWithPairs(path, ['http://127.0.0.1:8080/a.png', 'https://example.org:443/b.png', 'http://Example.ORG:81/c.png']);
    db.prepare('INSERT INTO images (url, host) SELECT image_url, ? FROM pairs').run('stale');
    db.pragma('user_version = 4');
    db.close();
    const reopened = openDb(path);
    const hosts = reopened.prepare('SELECT host FROM images ORDER BY url').pluck().all();
    reopened.close();
    expect(hosts).toEqual(['127.0.0.1:8080', 'example.org:81', 'example.org']);
  });
});

/** A forward proxy on loopback that tunnels (CONNECT) or forwards every request to `target`, whatever host it names. */
async function startProxy(target: string): Promise<{ url: string; asked: string[]; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const asked: string[] = [];
  const server = http.createServer((request, response) => {
    asked.push(new URL(request.url ?? '/').host);
    const upstream = http.request(
      { host: hostname, port, path: new URL(request.url ?? '/').pathname, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  server.on('connect', (request: http.IncomingMessage, client: net.Socket) => {
    asked.push(request.url ?? '');
    const upstream = net.connect(Number(port), hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function failureOf(fetcher: PoliteFetcher, url: string, request: FetchRequest = page): Promise<FetchFailure> {
  const error = await fetcher.fetch(url, request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchFailure);
  return error as FetchFailure;
}

describe('HTTP_PROXY', () => {
  let site: ImageServer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  /** A public address: the guard lets it through, and the proxy fixture takes it to the loopback site. */
  const publicOrigin = 'http://93.184.215.14';

  beforeAll(async () => {
    site = await startImageServer();
    site.route('/hello', { body: Buffer.from('<p>hello through the proxy</p>'), contentType: 'text/html' });
    site.route('/to-loopback', { body: Buffer.alloc(0), status: 302, headers: { location: `${site.origin}/hello` } });
    proxy = await startProxy(site.origin);
    process.env.HTTP_PROXY = proxy.url;
  });
  afterAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.NO_PROXY;
    await proxy.close();
  });

  it('sends requests through the proxy', async () => {
    const fetcher = new PoliteFetcher({ hostDelayMillis: 0 });
    const fetched = await fetcher.fetch(`${publicOrigin}/hello`, page);
    await fetcher.close();
    expect(fetched.body.toString()).toContain('hello through the proxy');
    expect(proxy.asked).toContain('93.184.215.14:80');
  });

  it('refuses a private target, named or literal, and a redirect to one, before the proxy hears of it', async () => {
    const fetcher = new PoliteFetcher({ hostDelayMillis: 0, maxRetries: 0 });
    const askedBefore = proxy.asked.length;
    const hitsBefore = site.hits.get('/hello') ?? 0;
    const port = new URL(site.origin).port;
    for (const url of [`${site.origin}/hello`, `http://localhost:${port}/hello`, `http://[::ffff:127.0.0.1]:${port}/hello`]) {
      expect((await failureOf(fetcher, url)).reason).toBe('private_address');
    }
    expect((await failureOf(fetcher, `${publicOrigin}/to-loopback`)).reason).toBe('private_address');
    await fetcher.close();
    // robots.txt and /to-loopback of the public host, one tunnel or two: nothing else.
    expect(new Set(proxy.asked.slice(askedBefore))).toEqual(new Set(['93.184.215.14:80']));
    expect(site.hits.get('/to-loopback')).toBe(1);
    expect(site.hits.get('/hello') ?? 0).toBe(hitsBefore);
  });

  it('goes direct to the hosts NO_PROXY names', async () => {
    process.env.NO_PROXY = '127.0.0.1';
    const fetcher = new PoliteFetcher({ hostDelayMillis: 0, allowPrivate: true });
    const askedBefore = proxy.asked.length;
    const fetched = await fetcher.fetch(`${site.origin}/hello`, page);
    await fetcher.close();
    delete process.env.NO_PROXY;
    expect(fetched.status).toBe(200);
    expect(proxy.asked.length).toBe(askedBefore);
  });
});

describe('X-Robots-Tag on images', () => {
  let site: ImageServer;

  beforeAll(async () => {
    site = await startImageServer();
    const png = await makePng(2, 64, 64);
    for (const tag of ['noai', 'noimageai', 'noindex', 'noimageindex', 'none', 'otherbot: noai', 'wit: noimageindex']) {
      site.route(`/${encodeURIComponent(tag)}.png`, { body: png, contentType: 'image/png', headers: { 'X-Robots-Tag': tag } });
    }
  });

  it("refuses an image for each of img2dataset's default directives, naming it, and ignores other crawlers'", async () => {
    const fetcher = new PoliteFetcher({ hostDelayMillis: 0, allowPrivate: true });
    const reasons: Record<string, string> = {};
    for (const tag of ['noai', 'noimageai', 'noindex', 'noimageindex', 'none', 'wit: noimageindex']) {
      reasons[tag] = (await failureOf(fetcher, `${site.origin}/${encodeURIComponent(tag)}.png`, image)).reason;
    }
    const other = await fetcher.fetch(`${site.origin}/${encodeURIComponent('otherbot: noai')}.png`, image);
    await fetcher.close();
    expect(reasons).toEqual({
      noai: 'noai',
      noimageai: 'noimageai',
      noindex: 'noindex',
      noimageindex: 'noimageindex',
      none: 'noindex',
      'wit: noimageindex': 'noimageindex',
    });
    expect(other.status).toBe(200);
  });

  it('honours only the directives given (--disallowed-header-directives noai)', async () => {
    const fetcher = new PoliteFetcher({ hostDelayMillis: 0, allowPrivate: true, disallowedDirectives: ['noai'] });
    const kept = await fetcher.fetch(`${site.origin}/noimageindex.png`, image);
    const refused = await failureOf(fetcher, `${site.origin}/noai.png`, image);
    await fetcher.close();
    expect(kept.status).toBe(200);
    expect(refused.reason).toBe('noai');
  });

  it('takes the flag on wit fetch and refuses an unknown directive with exit 2', async () => {
    const path = join(dir, 'directives.db');
    dbWithPairs(path, [`${site.origin}/noindex.png`, `${site.origin}/noai.png`]).close();
    const args = ['fetch', '--db', path, '--images', join(dir, 'directives-images'), '--allow-private', '--host-delay', '0'];
    const bad = await runWitAsync([...args, '--disallowed-header-directives', 'nosuch']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('disallowed-header-directives');
    const result = await runWitAsync([...args, '--disallowed-header-directives', 'noai']);
    expect(result.status, result.stderr).toBe(0);
    const db = openDb(path, { readonly: true });
    const states = db.prepare("SELECT url, state, coalesce(error, '') AS error FROM images ORDER BY url").all();
    db.close();
    expect(states).toEqual([
      { url: `${site.origin}/noai.png`, state: 'failed', error: 'noai' },
      { url: `${site.origin}/noindex.png`, state: 'ok', error: '' },
    ]);
  });
});

describe('refusals that send nothing', () => {
  it('refuse 500 private image URLs without waiting for the host delay', async () => {
    const site = await startImageServer();
    const port = new URL(site.origin).port;
    const spellings = [
      site.origin,
      `http://localhost:${port}`,
      `http://[::1]:${port}`,
      `http://0x7f.0.0.1:${port}`,
      `http://2130706433:${port}`,
    ];
    const urls = Array.from({ length: 500 }, (_, i) => `${spellings[i % spellings.length]}/img/${i}.png`);
    const db = dbWithPairs(join(dir, 'private.db'), urls);
    // As a run with --allow-private leaves it: robots.txt of each origin read and kept, so only the address guard refuses.
    const day = { fetched_at: new Date().toISOString(), expires_at: new Date(Date.now() + 86_400_000).toISOString() };
    for (const origin of new Set(spellings.map((spelling) => new URL(spelling).origin))) {
      writeRobots(db, { host: origin, http_status: 200, body: 'User-agent: *\nAllow: /\n', ...day });
    }
    // An hour between two requests to one host: a refusal that waited its turn would never finish within the test.
    const summary = await fetchImages(db, {
      imagesDir: join(dir, 'private-images'),
      fetcher: { hostDelayMillis: 3_600_000, concurrency: 8 },
    });
    const reasons = db.prepare("SELECT error, count(*) AS n FROM images WHERE state = 'failed' GROUP BY error").all();
    db.close();
    expect(summary.failed).toBe(500);
    expect(reasons).toEqual([{ error: 'private_address', n: 500 }]);
    expect([...site.hits.values()].reduce((a, b) => a + b, 0)).toBe(0);
  });
});
