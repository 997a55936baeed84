import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeGlossCorpus, writeLines } from './fixtures/queries-files.js';
import { runWit, type WitResult } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-faults-db-');
const pageSize = 16384;
let corpus: string;
let sound: string;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Exit 1, the message names the file, no stack trace. */
function expectCleanRefusal(result: WitResult, file: string): void {
  expect(result.stderr).not.toMatch(/unexpected failure|\n\s+at /);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(file);
}

beforeAll(() => {
  // 11,780 real WordNet glosses: the queries table spans ~200 pages.
  corpus = writeGlossCorpus(dir, 'glosses.txt', 10);
  sound = join(dir, 'sound.db');
  expect(runWit(['queries', 'import', '--db', sound, corpus]).status).toBe(0);
});

describe('a damaged db', () => {
  const seed = 'http://127.0.0.1:9/';
  const writers = (db: string) => [
    ['db', 'stats', '--db', db],
    ['db', 'sql', '--db', db, 'SELECT count(*), max(length(text)) FROM queries'],
    ['queries', 'import', '--db', db, writeLines(dir, 'more.txt', ['red panda'])],
    ['crawl', '--db', db, '--seed', seed, '--allow-private'],
    ['fetch', '--db', db, '--allow-private'],
  ];

  it('cut short: every command exits 1 naming the file, and nothing is written to it', () => {
    const db = join(dir, 'truncated.db');
    copyFileSync(sound, db);
    truncateSync(db, Math.floor(statSync(db).size / 2));
    const before = sha256(db);
    for (const args of writers(db)) {
      const result = runWit(args);
      expectCleanRefusal(result, db);
      expect(result.stderr).toMatch(/damaged.*cut short|cut short/);
    }
    expect(sha256(db)).toBe(before);
    expectCleanRefusal(runWit(['db', 'check', '--db', db]), db);
  });

  it('random bytes in a few pages: every command exits 1 naming the file, nothing written; db check lists the damage', () => {
    const db = join(dir, 'pages.db');
    copyFileSync(sound, db);
    const pages = statSync(db).size / pageSize;
    const fd = openSync(db, 'r+');
    for (let page = Math.floor(pages / 3); page < Math.floor(pages / 3) + 4; page++) {
      const noise = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 131 + page * 17) & 0xff));
      writeSync(fd, noise, 0, noise.length, page * pageSize + 200);
    }
    closeSync(fd);
    const before = sha256(db);
    for (const args of writers(db)) {
      const result = runWit(args);
      expectCleanRefusal(result, db);
      expect(result.stderr).toContain('.recover');
    }
    expect(sha256(db)).toBe(before);

    const check = runWit(['db', 'check', '--db', db]);
    expectCleanRefusal(check, db);
    expect(check.stderr).toMatch(/integrity check found \d+ problem/);
    expect(sha256(db)).toBe(before);
  });

  it('db check says a sound file is sound', () => {
    const result = runWit(['db', 'check', '--db', sound]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('is sound');
  });
});

/** Mounts a tmpfs of `size` at a new folder; undefined where this machine does not allow it (not root). */
function mountTmpfs(size: string): string | undefined {
  const mountPoint = join(dir, `disk-${size}`);
  mkdirSync(mountPoint, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint]).status === 0 ? mountPoint : undefined;
}

const canMount = (() => {
  const probe = mountTmpfs('64k');
  if (probe) spawnSync('umount', [probe]);
  else console.warn('\n*** SKIPPING the full-disk test: cannot mount a tmpfs here (needs root: mount -t tmpfs) ***\n');
  return probe !== undefined;
})();

describe('a full disk under the db (a real tmpfs)', () => {
  it.skipIf(!canMount)('SQLITE_FULL exits 1 naming the db; after freeing space the same command completes', () => {
    const mountPoint = mountTmpfs('600k')!;
    try {
      const db = join(mountPoint, 'wit.db');
      const full = runWit(['queries', 'import', '--db', db, corpus]);
      expectCleanRefusal(full, db);
      expect(full.stderr).toMatch(/is full \(SQLITE_FULL\).*run the same command again/);
      expect(runWit(['db', 'check', '--db', db]).status).toBe(0);

      expect(spawnSync('mount', ['-o', 'remount,size=16m', mountPoint]).status).toBe(0);
      const again = runWit(['queries', 'import', '--db', db, corpus]);
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/the table now holds 11,7\d\d/);
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  });
});
