import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../db/index.js';
import { metaRecord } from './fixtures/db-meta.js';
import { dbWithPairs, imageRow } from './fixtures/images-db.js';
import { jpegVariant, makeJpeg } from './fixtures/images-make.js';
import { startImageServer, type ImageServer } from './fixtures/images-server.js';
import { loopbackFetchArgs, runWitAsync } from './fixtures/crawl-run.js';
import { runWit, startWit } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-fetch-cli-');
const imageCount = 120;
let server: ImageServer;

const names = Array.from({ length: imageCount }, (_, i) => `/img/${i}.jpg`);

beforeAll(async () => {
  server = await startImageServer();
  const bases = await Promise.all(Array.from({ length: 6 }, (_, i) => makeJpeg(20 + i, 320, 240)));
  names.forEach((name, i) => server.route(name, { body: jpegVariant(bases[i % bases.length]!, String(i)), delayMillis: 60 }));
}, 60_000);

function fetchArgs(db: string, images: string): string[] {
  return loopbackFetchArgs(db, images, '--per-host', '2', '--max-image-bytes', '1000000');
}

/** One column of the `ok` image rows. */
function okRows(dbPath: string, column: 'url' | 'path'): string[] {
  const db = openDb(dbPath, { readonly: true });
  try {
    return db.prepare(`SELECT ${column} FROM images WHERE state = 'ok'`).pluck().all() as string[];
  } finally {
    db.close();
  }
}

const okUrls = (dbPath: string) => okRows(dbPath, 'url');
const okPaths = (dbPath: string) => okRows(dbPath, 'path');

/** The store's `ab/cd/<sha256>.jpg` files, temps left out. */
function storeFiles(images: string): string[] {
  if (!existsSync(images)) return [];
  return readdirSync(images, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.jpg') && !path.startsWith('.tmp'));
}

describe('wit fetch (the CLI)', () => {
  it('resumes after SIGKILL: nothing stored is fetched again, stale temps are deleted, the store agrees', async () => {
    const dbPath = join(dir, 'kill.db');
    const images = join(dir, 'kill-images');
    dbWithPairs(
      dbPath,
      names.map((name) => server.origin + name),
    ).close();

    const child = startWit(fetchArgs(dbPath, images));
    const exited = once(child, 'exit');
    let childErr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (childErr += chunk));
    let storedBeforeKill: string[] = [];
    for (let i = 0; i < 400 && storedBeforeKill.length < 15; i++) {
      await sleep(100);
      if (existsSync(dbPath)) storedBeforeKill = okUrls(dbPath);
    }
    child.kill('SIGKILL');
    await exited;
    storedBeforeKill = okUrls(dbPath);
    expect(storedBeforeKill.length, childErr).toBeGreaterThanOrEqual(15);
    expect(storedBeforeKill.length).toBeLessThan(imageCount);
    // Rows are written in batches after their files: the store may be ahead of the db, never behind it.
    const pathsAtKill = okPaths(dbPath);
    for (const path of pathsAtKill) expect(existsSync(join(images, path)), path).toBe(true);
    expect(storeFiles(images).length).toBeGreaterThanOrEqual(new Set(pathsAtKill).size);
    const hitsAtKill = new Map(server.hits);

    mkdirSync(join(images, '.tmp'), { recursive: true });
    writeFileSync(join(images, '.tmp', '999999999-0.jpg'), 'half a file');

    const rerun = await runWitAsync(fetchArgs(dbPath, images));
    expect(rerun.stderr).not.toMatch(/\n\s+at /);
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toMatch(new RegExp(`fetch: ${imageCount - storedBeforeKill.length} ok`));
    expect(rerun.stdout).toMatch(/[1-9]\d* stale temp files deleted/);
    for (const url of storedBeforeKill) expect(server.hits.get(new URL(url).pathname), url).toBe(hitsAtKill.get(new URL(url).pathname));
    // What the kill cut off (downloaded, maybe stored, row not written) is fetched once more; each image is one file.
    for (const name of names.filter((name) => !storedBeforeKill.includes(server.origin + name))) {
      expect(server.hits.get(name), name).toBe((hitsAtKill.get(name) ?? 0) + 1);
    }
    expect(okUrls(dbPath)).toHaveLength(imageCount);
    expect(storeFiles(images).sort()).toEqual([...new Set(okPaths(dbPath))].sort());
    expect(readdirSync(join(images, '.tmp'))).toEqual([]);

    const check = runWit(['db', 'check-images', '--db', dbPath, '--images', images]);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('the db and the store agree');
    // The options as resolved: the defaults of what was not typed are recorded too. Decodes in
    // flight: twice the libuv threads the `wit` command starts (one a core, at least 4), at most 4 a core.
    const cores = availableParallelism();
    expect(metaRecord(dbPath, 'fetch.config')).toMatchObject({
      imagesDir: images,
      maxImageBytes: 1_000_000,
      decodeConcurrency: Math.min(4 * cores, 2 * Math.max(4, cores)),
      processing: { size: 256, minSide: 64 },
      fetcher: { perHost: 2, maxRetries: 3 },
    });
  });

  it('db check-images reports a missing and an extra file, --repair fixes both, and fetch restores the missing one', async () => {
    const dbPath = join(dir, 'kill.db');
    const images = join(dir, 'kill-images');
    const urls = [server.origin + names[0]!];
    const db = openDb(dbPath, { readonly: true });
    const lost = imageRow(db, urls[0]!);
    db.close();
    rmSync(join(images, lost.path!));
    const extra = `ff/ff/${'f'.repeat(64)}.jpg`;
    mkdirSync(join(images, 'ff', 'ff'), { recursive: true });
    writeFileSync(join(images, extra), 'stray');

    const report = runWit(['db', 'check-images', '--db', dbPath, '--images', images, '--json']);
    expect(report.status).toBe(1);
    expect(JSON.parse(report.stdout)).toMatchObject({ missingFiles: 1, extraFiles: 1, samples: { missing: [lost.path], extra: [extra] } });

    const repair = runWit(['db', 'check-images', '--db', dbPath, '--images', images, '--repair']);
    expect(repair.status).toBe(0);
    expect(repair.stdout).toContain('1 rows back to pending');
    expect(existsSync(join(images, extra))).toBe(false);

    const refetch = await runWitAsync(fetchArgs(dbPath, images));
    expect(refetch.stdout).toContain('fetch: 1 ok');
    expect(existsSync(join(images, lost.path!))).toBe(true);
    expect(runWit(['db', 'check-images', '--db', dbPath, '--images', images]).status).toBe(0);
  });

  it('stops cleanly on Ctrl-C: images in flight stay pending, none is marked failed', async () => {
    const dbPath = join(dir, 'sigint.db');
    const images = join(dir, 'sigint-images');
    dbWithPairs(
      dbPath,
      names.map((name) => `${server.origin}${name}?sigint`),
    ).close();
    const child = startWit(fetchArgs(dbPath, images));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const closed = once(child, 'close');
    for (let i = 0; i < 400 && !(existsSync(dbPath) && okUrls(dbPath).length >= 3); i++) await sleep(100);
    child.kill('SIGINT');
    const [status] = (await closed) as [number | null];
    expect(status).toBe(130);
    expect(stdout).toMatch(/fetch: \d+ ok .*, 0 failed, [1-9]\d* still pending/);
    const db = openDb(dbPath, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM images WHERE state = 'failed'").pluck().get()).toBe(0);
    db.close();
  });

  it('names a bad flag or a missing db, without a stack trace', () => {
    const bad = runWit(['fetch', '--db', join(dir, 'kill.db'), '--size', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--size must be a whole number from 8 to');
    const reason = runWit(['fetch', '--db', join(dir, 'kill.db'), '--reason', 'timeout']);
    expect(reason.status).toBe(2);
    expect(reason.stderr).toContain('--reason only makes sense with --retry-failed');
    const unwritable = runWit(['fetch', '--db', join(dir, 'kill.db'), '--images', join(dir, 'kill.db', 'images')]);
    expect(unwritable.status).toBe(1);
    expect(unwritable.stderr).toMatch(/Cannot write .* in the image store/);
    expect(unwritable.stderr).not.toMatch(/\n\s+at /);
    const missing = runWit(['fetch', '--db', join(dir, 'nope.db')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('does not exist');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
