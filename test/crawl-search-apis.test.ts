import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../db/index.js';
import { makeCrawlDb, storedPairs } from './fixtures/crawl-db.js';
import { runWitAsync } from './fixtures/crawl-run.js';
import { loadEmojis, searchEmojis, type Emoji } from './fixtures/openmoji-site.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir();
const emojis = loadEmojis();
const queries = ['cat', 'heart', 'moon'];
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/**
 * Loopback stand-ins for two real search APIs, answering the openmoji package's
 * names as results, in the response shapes their documentation gives:
 * Openverse `GET /v1/images/` and the MediaWiki Action API's
 * `action=query&generator=search&prop=imageinfo` as Wikimedia Commons serves it.
 */
async function startApis(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const origin = `http://${request.headers.host}`;
    const body = url.pathname === '/v1/images/' ? openverse(url, origin) : url.pathname === '/w/api.php' ? commons(url, origin) : undefined;
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { detail: 'Not found.' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function openverse(url: URL, origin: string): unknown {
  const pageSize = Number(url.searchParams.get('page_size') ?? 20);
  const page = Number(url.searchParams.get('page') ?? 1);
  const found = searchEmojis(emojis, url.searchParams.get('q') ?? '');
  const results = found.slice((page - 1) * pageSize, page * pageSize).map((emoji) => ({
    id: `0000-${emoji.hexcode}`,
    title: emoji.annotation,
    indexed_on: '2024-01-01T00:00:00Z',
    foreign_landing_url: `${origin}/photos/${emoji.hexcode}`,
    url: `${origin}/images/${emoji.hexcode}.png`,
    creator: 'openmoji',
    license: 'by-sa',
    license_version: '4.0',
    provider: 'openmoji',
    source: 'openmoji',
    filetype: 'png',
    tags: emoji.tags.split(', ').map((name) => ({ name, accuracy: null })),
    height: 618,
    width: 618,
    thumbnail: `${origin}/v1/images/0000-${emoji.hexcode}/thumb/`,
    mature: false,
  }));
  return { result_count: found.length, page_count: Math.ceil(found.length / pageSize), page_size: pageSize, page, results, warnings: [] };
}

function commons(url: URL, origin: string): unknown {
  const p = url.searchParams;
  if (p.get('action') !== 'query' || p.get('generator') !== 'search' || p.get('gsrnamespace') !== '6') return { batchcomplete: true };
  const limit = Number(p.get('gsrlimit') ?? 10);
  const found = searchEmojis(emojis, p.get('gsrsearch') ?? '').slice(0, limit);
  const page = (emoji: Emoji, index: number) => ({
    pageid: 1000 + index,
    ns: 6,
    title: `File:${emoji.annotation}.svg`,
    index: index + 1,
    imagerepository: 'local',
    imageinfo: [
      {
        thumburl: `${origin}/wikipedia/commons/thumb/${emoji.hexcode}.svg/640px-${emoji.hexcode}.svg.png`,
        thumbwidth: 640,
        thumbheight: 640,
        url: `${origin}/wikipedia/commons/${emoji.hexcode}.svg`,
        descriptionurl: `${origin}/wiki/File:${emoji.hexcode}.svg`,
        extmetadata: { ObjectName: { value: emoji.annotation, source: 'mediawiki-metadata', hidden: '' } },
      },
    ],
  });
  const pages = found.map(page);
  // Without formatversion=2 the API keys pages by id (an object, not an array).
  const shaped = p.get('formatversion') === '2' ? pages : Object.fromEntries(pages.map((entry) => [String(entry.pageid), entry]));
  return { batchcomplete: true, continue: { gsroffset: limit, continue: 'gsroffset||' }, query: { pages: shaped } };
}

/** The README's `wit crawl --search` command for `host`, as argv, pointed at `origin` and made quick for loopback. */
function readmeCommand(host: string, origin: string, db: string): string[] {
  const command = readme
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .find((line) => line.startsWith('wit crawl') && line.includes(host));
  if (!command) throw new Error(`README.md has no wit crawl command for ${host}`);
  const args = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
  const swapped = args.map((arg) => arg.replace(`https://${host}`, origin));
  swapped[swapped.indexOf('--db') + 1] = db;
  swapped[swapped.indexOf('--host-delay') + 1] = '0';
  return [...swapped, '--allow-private'];
}

describe('the README search API commands, against loopback fixtures of the APIs', () => {
  let apis: Awaited<ReturnType<typeof startApis>>;

  beforeAll(async () => {
    apis = await startApis();
  });
  afterAll(() => apis.close());

  async function crawlWith(host: string, name: string) {
    const path = join(dir, `${name}.db`);
    makeCrawlDb(path, queries).close();
    const result = await runWitAsync(readmeCommand(host, apis.origin, path));
    expect(result.status, result.stderr).toBe(0);
    const db = openDb(path, { readonly: true });
    const pairs = storedPairs(db);
    const failed = db.prepare("SELECT count(*) FROM queries WHERE state = 'failed'").pluck().get();
    db.close();
    return { pairs, failed };
  }

  it('Openverse: every title that contains the query, with the image URL, page after page', async () => {
    const { pairs, failed } = await crawlWith('api.openverse.org', 'openverse');
    // 44 results for "heart", 30 of them named with the word: three pages of 20.
    const heart = searchEmojis(emojis, 'heart').filter((e) => /\bheart\b/i.test(e.annotation));
    expect(heart.length).toBeGreaterThan(20);
    expect(failed).toBe(0);
    // Each stored once, counted against one query it matches ("smiling cat with heart-eyes" may count for "cat").
    expect(pairs.map((p) => p.text)).toEqual(expect.arrayContaining(heart.map((e) => e.annotation)));
    expect(pairs.every((p) => new RegExp(`\\b${p.query}\\b`, 'i').test(p.text))).toBe(true);
    expect(pairs[0]).toMatchObject({
      text_origin: 'api',
      image_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/images\/[\dA-F-]+\.png$/),
    });
    expect(new Set(pairs.map((p) => p.query))).toEqual(new Set(queries));
  });

  it('Wikimedia Commons: the file name (ObjectName) as text and the 640 px thumbnail as image', async () => {
    const { pairs, failed } = await crawlWith('commons.wikimedia.org', 'commons');
    expect(failed).toBe(0);
    const heart = pairs.filter((p) => p.query === 'heart');
    expect(heart.length).toBeGreaterThan(3);
    expect(heart.every((p) => /\bheart\b/i.test(p.text) && /\/640px-[\dA-F-]+\.svg\.png$/.test(p.image_url))).toBe(true);
  });
});
