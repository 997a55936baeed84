import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../db/index.js';
import { makeCrawlDb } from './fixtures/crawl-db.js';
import { loopbackCrawlArgs, runWitAsync } from './fixtures/crawl-run.js';
import { escapeHtml, loadEmojis } from './fixtures/openmoji-site.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-faults-captions-');
// Real captions: openmoji annotations, one made dirty, one buried in a page's worth of text.
const [first, second] = loadEmojis()
  .filter((emoji) => emoji.annotation.includes(' '))
  .slice(0, 2);
const dirty = first!.annotation.replace(' ', '\u0000 \u0007\t\n ');
const buried = `${second!.annotation} ${'and then some more words of the page '.repeat(40)}`;
let url = '';
const server = createServer((request, response) => {
  if (request.url !== '/') {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(`<html><body><img src="/a.png" alt="${escapeHtml(dirty)}"><img src="/b.png" alt="${escapeHtml(buried)}"></body></html>`);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('captions at crawl time', () => {
  it('removes control characters (NUL included), collapses whitespace, and drops a caption over 1,000 characters with a count', async () => {
    expect(dirty).toContain('\u0000');
    expect(buried.length).toBeGreaterThan(1000);
    const db = join(dir, 'captions.db');
    makeCrawlDb(db, [first!.annotation, second!.annotation]).close();
    const result = await runWitAsync(loopbackCrawlArgs(db, ['--seed', url]));
    expect(result.stderr).not.toMatch(/unexpected/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('1 with a caption over 1000 characters');
    const handle = openDb(db, { readonly: true });
    const texts = handle.prepare('SELECT text FROM pairs ORDER BY id').pluck().all();
    handle.close();
    expect(texts).toEqual([first!.annotation]);
  });
});
