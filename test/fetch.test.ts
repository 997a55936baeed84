import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkImages, fetchImages, formatFetchSummary, type FetchImagesSummary } from '../fetch/index.js';
import { hammingDistance } from '../fetch/phash.js';
import type { WitDb } from '../db/index.js';
import { dbWithPairs, imageRow } from './fixtures/images-db.js';
import * as make from './fixtures/images-make.js';
import { startImageServer, type ImageRoute, type ImageServer } from './fixtures/images-server.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-fetch-');
const imagesDir = join(dir, 'images');
let server: ImageServer;
let db: WitDb;
let summary: FetchImagesSummary;
let jpegBytes: Buffer;

const good = ['photo.jpg', 'alpha.png', 'pic.webp', 'anim.gif', 'cmyk.jpg', 'rotated.jpg', 'deep.png', 'same-a.jpg', 'same-b.jpg'];
const bad: Record<string, string> = {
  'truncated.jpg': 'decode_error',
  'empty.jpg': 'empty',
  'page.jpg': 'not_image',
  'bomb.png': 'too_many_pixels',
  'huge.jpg': 'too_large',
  'drip.jpg': 'timeout',
  'tiny.jpg': 'too_small',
  'missing.jpg': 'http_404',
  'icon.svg': 'svg_refused',
  'noai.jpg': 'noai',
  'private/hidden.jpg': 'robots',
};
const url = (name: string) => `${server.origin}/${name}`;

beforeAll(async () => {
  server = await startImageServer();
  jpegBytes = await make.makeJpeg(1, 640, 480);
  const routes: Record<string, ImageRoute> = {
    'robots.txt': { body: Buffer.from('User-agent: *\nDisallow: /private/\n'), contentType: 'text/plain' },
    'noai.jpg': { body: jpegBytes, headers: { 'X-Robots-Tag': 'noai' } },
    'private/hidden.jpg': { body: jpegBytes },
    'photo.jpg': { body: jpegBytes },
    'alpha.png': { body: await make.makePngWithAlpha(2, 300, 300), contentType: 'image/png' },
    'pic.webp': { body: await make.makeWebp(3, 400, 300), contentType: 'image/webp' },
    'anim.gif': { body: await make.makeAnimatedGif(4, 200, 150), contentType: 'image/gif' },
    'cmyk.jpg': { body: await make.makeCmykJpeg(5, 300, 400) },
    'rotated.jpg': { body: await make.makeExifRotatedJpeg(6, 400, 300) },
    'deep.png': { body: await make.makePng16(7, 320, 240), contentType: 'image/png' },
    'same-a.jpg': { body: await make.makeJpeg(8, 500, 500) },
    'truncated.jpg': { body: await make.makeTruncatedJpeg(9, 640, 480) },
    'empty.jpg': { body: Buffer.alloc(0) },
    'page.jpg': { body: make.htmlErrorPage },
    'bomb.png': { body: make.makePngDeclaring(60_000, 60_000), contentType: 'image/png' },
    'huge.jpg': { body: make.makeOversizedJpeg(30 * 1024 * 1024) },
    'drip.jpg': { body: jpegBytes, dripMillis: 400 },
    'tiny.jpg': { body: await make.makeJpeg(10, 48, 48) },
    'icon.svg': { body: make.openmojiSvg(11), contentType: 'image/svg+xml' },
  };
  routes['same-b.jpg'] = routes['same-a.jpg']!;
  for (const [name, route] of Object.entries(routes)) server.route(`/${name}`, route);

  db = dbWithPairs(join(dir, 'wit.db'), [...good, ...Object.keys(bad)].map(url));
  summary = await fetchImages(db, {
    imagesDir,
    fetcher: { allowPrivate: true, perHost: 8, hostDelayMillis: 0, timeoutSecs: 2, maxRetries: 0 },
  });
}, 60_000);

describe('fetchImages through a loopback server', () => {
  it('stores every good image as an 8-bit sRGB JPEG, shorter side 256, under ab/cd/<sha256>.jpg', async () => {
    for (const name of good) {
      const row = imageRow(db, url(name));
      expect(row, name).toMatchObject({ state: 'ok', error: null, http_status: 200 });
      expect(row.path).toBe(`${row.sha256!.slice(0, 2)}/${row.sha256!.slice(2, 4)}/${row.sha256}.jpg`);
      expect(row.phash).toMatch(/^[0-9a-f]{16}$/);
      const stored = await sharp(readFileSync(join(imagesDir, row.path!))).metadata();
      expect(stored, name).toMatchObject({ format: 'jpeg', space: 'srgb', channels: 3, depth: 'uchar' });
      expect(Math.min(stored.width, stored.height), name).toBe(Math.min(256, row.width!, row.height!));
    }
    expect(summary).toMatchObject({ ok: good.length, failed: Object.keys(bad).length, pendingLeft: 0 });
    // Two significant digits: a small fetch never shows 0.00 MB/s.
    expect(formatFetchSummary({ ...summary, downloadedBytes: 5_400, elapsedSecs: 4.7 })).toContain('0.0011 MB/s');
  });

  it('records the original size, format and bytes; sha256 is of the original bytes', async () => {
    const photo = imageRow(db, url('photo.jpg'));
    expect(photo).toMatchObject({ width: 640, height: 480, format: 'jpeg', bytes: jpegBytes.length });
    const { createHash } = await import('node:crypto');
    expect(photo.sha256).toBe(createHash('sha256').update(jpegBytes).digest('hex'));
    expect(imageRow(db, url('anim.gif'))).toMatchObject({ format: 'gif', width: 200, height: 150 });
    expect(imageRow(db, url('deep.png'))).toMatchObject({ format: 'png', width: 320, height: 240 });
  });

  it('applies EXIF orientation: the sideways-stored JPEG is 400x300 as displayed', async () => {
    const row = imageRow(db, url('rotated.jpg'));
    expect(row).toMatchObject({ width: 400, height: 300 });
    const stored = await sharp(readFileSync(join(imagesDir, row.path!))).metadata();
    expect([stored.width, stored.height]).toEqual([341, 256]);
  });

  it('flattens alpha on white and converts CMYK to sRGB', async () => {
    const alpha = imageRow(db, url('alpha.png'));
    const { data } = await sharp(readFileSync(join(imagesDir, alpha.path!)))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([data[0], data[1], data[2]].every((v) => v! > 245)).toBe(true);
    const cmyk = imageRow(db, url('cmyk.jpg'));
    const reference = await sharp(await make.makePng(5, 300, 400))
      .flatten({ background: '#ffffff' })
      .resize(256)
      .raw()
      .toBuffer();
    expect(reference.length).toBe(256 * 341 * 3);
    const stored = await sharp(readFileSync(join(imagesDir, cmyk.path!)))
      .raw()
      .toBuffer();
    let diff = 0;
    for (let i = 0; i < reference.length; i++) diff += Math.abs(reference[i]! - stored[i]!);
    expect(diff / reference.length).toBeLessThan(20);
  });

  it('takes the first frame of an animated GIF', async () => {
    const row = imageRow(db, url('anim.gif'));
    const firstFrame = await sharp(await make.makePng(4, 200, 150))
      .png()
      .toBuffer();
    const { computePhash } = await import('../fetch/index.js');
    expect(hammingDistance(row.phash!, await computePhash(firstFrame))).toBeLessThanOrEqual(8);
    expect(hammingDistance(row.phash!, await computePhash(await make.makePng(5, 200, 150)))).toBeGreaterThan(8);
  });

  it('gives every bad download its failed state and reason', () => {
    const outcomes = Object.keys(bad).map((name) => {
      const row = imageRow(db, url(name));
      return [name, `${row.state} ${row.error} ${row.path}`];
    });
    // drip.jpg: a timeout that cuts the body must be `timeout` (crawler/http-get.ts's timer), not `network`.
    expect(Object.fromEntries(outcomes), 'state, reason and path of each bad download').toEqual(
      Object.fromEntries(Object.entries(bad).map(([name, reason]) => [name, `failed ${reason} null`])),
    );
    expect(imageRow(db, url('missing.jpg')).http_status).toBe(404);
    expect(Object.fromEntries(summary.failures)).toMatchObject({ decode_error: 1, timeout: 1, too_large: 1 });
  });

  it('stores identical bytes from two URLs once', () => {
    const a = imageRow(db, url('same-a.jpg'));
    const b = imageRow(db, url('same-b.jpg'));
    expect(a.sha256).toBe(b.sha256);
    expect(a.path).toBe(b.path);
    const files = readdirSync(join(imagesDir, a.path!.slice(0, 5)));
    expect(files).toEqual([`${a.sha256}.jpg`]);
    expect(summary.reused + new Set(good.map((name) => imageRow(db, url(name)).sha256)).size).toBe(good.length);
  });

  it('leaves no temp files, and the store agrees with the db', () => {
    expect(readdirSync(join(imagesDir, '.tmp'))).toEqual([]);
    const report = checkImages(db, { imagesDir });
    expect(report).toMatchObject({ missingFiles: 0, extraFiles: 0, rowsWithoutPath: 0, pathsInDb: good.length - 1 });
  });

  it('fetches nothing again on a second run, and retries only the asked reason with --retry-failed', async () => {
    const before = server.hits.get('/photo.jpg');
    const again = await fetchImages(db, { imagesDir, fetcher: { allowPrivate: true, hostDelayMillis: 0 } });
    expect(again).toMatchObject({ ok: 0, failed: 0, enqueued: 0 });
    expect(server.hits.get('/photo.jpg')).toBe(before);

    server.route('/missing.jpg', { body: await make.makeJpeg(12, 200, 200) });
    const retried = await fetchImages(db, {
      imagesDir,
      retryFailed: true,
      retryReason: 'http_404',
      fetcher: { allowPrivate: true, hostDelayMillis: 0 },
    });
    expect(retried).toMatchObject({ retried: 1, ok: 1, failed: 0 });
    expect(imageRow(db, url('missing.jpg'))).toMatchObject({ state: 'ok', attempts: 2 });
    expect(imageRow(db, url('page.jpg')).state).toBe('failed');
  });

  it('refuses private addresses unless allowed', async () => {
    const other = dbWithPairs(join(dir, 'private.db'), [url('photo.jpg')]);
    const result = await fetchImages(other, { imagesDir: join(dir, 'private-images') });
    expect(result.failures).toEqual([['private_address', 1]]);
    expect(existsSync(join(dir, 'private-images', '.tmp'))).toBe(true);
    other.close();
  });

  it('stops with an error naming the store folder it cannot create, keeps what it stored and leaves the rest pending', async () => {
    const names = ['photo.jpg', 'alpha.png', 'pic.webp'];
    const other = dbWithPairs(join(dir, 'blocked.db'), names.map(url));
    const store = join(dir, 'blocked-images');
    // A file where photo.jpg's first-level folder goes: its write fails, the others' do not.
    const blocked = createHash('sha256').update(jpegBytes).digest('hex').slice(0, 2);
    mkdirSync(store);
    writeFileSync(join(store, blocked), 'not a folder');
    const fetcher = { allowPrivate: true, hostDelayMillis: 0 };
    await expect(fetchImages(other, { imagesDir: store, fetcher })).rejects.toThrow(/Cannot write .*blocked-images.* in the image store/);
    expect(imageRow(other, url('photo.jpg')).state).toBe('pending');
    expect(names.map((name) => imageRow(other, url(name)).state).every((state) => state === 'ok' || state === 'pending')).toBe(true);
    expect(readdirSync(join(store, '.tmp'))).toEqual([]);
    expect(checkImages(other, { imagesDir: store })).toMatchObject({ missingFiles: 0, extraFiles: 0 });

    rmSync(join(store, blocked));
    const rerun = await fetchImages(other, { imagesDir: store, fetcher });
    expect(rerun.failed).toBe(0);
    expect(names.map((name) => imageRow(other, url(name)).state)).toEqual(['ok', 'ok', 'ok']);
    other.close();
  });
});
