import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../db/index.js';
import { writeBinaryFile, writeLines } from './fixtures/queries-files.js';
import { runWit, startWit } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-queries-cli-');

describe('wit queries', () => {
  it('builds from a corpus, titles and extras, prints a summary, and exports by origin', () => {
    const db = join(dir, 'build.db');
    const corpus = writeLines(
      dir,
      'corpus.txt',
      Array.from({ length: 30 }, (_, i) => `The red panda sleeps in tree ${i % 3}.`),
    );
    const titles = writeLines(dir, 'titles.tsv', ['Red_Panda\t900', 'Snow_Leopard\t80', 'Rare_Page\t2']);
    const extra = writeLines(dir, 'extra.txt', ['Snow leopard', 'Clouded leopard']);
    const built = runWit([
      'queries',
      'build',
      '--db',
      db,
      '--corpus',
      corpus,
      '--min-count',
      '10',
      '--bigram-pmi',
      '1',
      '--titles',
      titles,
      '--extra',
      extra,
    ]);
    expect(built.stderr).not.toMatch(/unexpected/);
    expect(built.status).toBe(0);
    expect(built.stdout).toMatch(/^unigram\s+\d+\s+\d+/m);
    expect(built.stdout).toMatch(/the table now holds \d+/);
    expect(built.stderr).toMatch(/queries build: [\d.]+ k?B\/[\d.]+ k?B \(100\.0%\)/);

    const exported = runWit(['queries', 'export', '--db', db, '--origin', 'title']);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toBe('snow leopard\n');
    const user = runWit(['queries', 'export', '--db', db, '--origin', 'user']);
    expect(user.stdout).toBe('clouded leopard\n');
    const all = runWit(['queries', 'export', '--db', db]).stdout.trim().split('\n');
    expect(all).toContain('red panda');
    expect(all).toContain('panda');

    const handle = openDb(db, { readonly: true });
    expect(handle.prepare("SELECT origin FROM queries WHERE text = 'red panda'").get()).toEqual({ origin: 'bigram' });
    handle.close();
  });

  it('imports a file of queries, and a second import adds nothing', () => {
    const db = join(dir, 'import.db');
    const file = writeLines(dir, 'import.txt', ['Golden Retriever', 'tabby cat', 'Tabby  Cat']);
    const first = runWit(['queries', 'import', file, '--db', db]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/read 3 queries, added 2 new; the table now holds 2/);
    expect(first.stderr).toMatch(/^queries import: 38 B\/38 B \(100\.0%\)/m);
    const second = runWit(['queries', 'import', file, '--db', db]);
    expect(second.stdout).toMatch(/added 0 new; the table now holds 2/);
  });

  it('fails with a clear message naming a missing or binary corpus file', () => {
    const db = join(dir, 'bad.db');
    const missing = runWit(['queries', 'build', '--db', db, '--corpus', join(dir, 'nope.txt')]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/Corpus file .*nope\.txt does not exist/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(db)).toBe(false); // no empty db left behind by the typo

    const binary = runWit(['queries', 'build', '--db', db, '--corpus', writeBinaryFile(dir, 'image.png')]);
    expect(binary.status).not.toBe(0);
    expect(binary.stderr).toMatch(/Corpus file .*image\.png looks binary/);
    expect(binary.stderr).not.toMatch(/\n\s+at /);
  });

  it('validates flags at the edge, naming the flag', () => {
    const db = join(dir, 'flags.db');
    const noSource = runWit(['queries', 'build', '--db', db]);
    expect(noSource.status).toBe(2);
    expect(noSource.stderr).toMatch(/at least one source/);
    const badCount = runWit(['queries', 'build', '--db', db, '--wordnet', '--min-count', '0']);
    expect(badCount.status).toBe(2);
    expect(badCount.stderr).toMatch(/--min-count must be a positive whole number/);
    const badOrigin = runWit(['queries', 'export', '--db', db, '--origin', 'martian']);
    expect(badOrigin.status).toBe(2);
    expect(badOrigin.stderr).toMatch(/origin/);
  });
});

describe('wit queries build, killed mid-work', () => {
  it('completes on the next run with every query once', async () => {
    const db = join(dir, 'killed.db');
    const lineCount = 100_000;
    const extra = writeLines(
      dir,
      'many.txt',
      Array.from({ length: lineCount }, (_, i) => `query number ${i}`),
    );
    const child = startWit(['queries', 'build', '--db', db, '--extra', extra]);
    const exited = new Promise((done) => child.once('exit', done));
    let seenMidWork = -1;
    for (let tries = 0; tries < 3000 && seenMidWork === -1; tries++) {
      await new Promise((done) => setTimeout(done, 10));
      const stored = storedCount(db);
      if (stored > 0 && stored < lineCount) seenMidWork = stored;
    }
    child.kill('SIGKILL');
    await exited;
    expect(seenMidWork, 'the build was killed while inserting').toBeGreaterThan(0);
    expect(storedCount(db)).toBeLessThan(lineCount);

    const rerun = runWit(['queries', 'build', '--db', db, '--extra', extra]);
    expect(rerun.status).toBe(0);
    const handle = openDb(db, { readonly: true });
    expect(handle.prepare('SELECT count(*) AS n, count(DISTINCT text) AS texts FROM queries').get()).toEqual({
      n: lineCount,
      texts: lineCount,
    });
    handle.close();
  });
});

function storedCount(path: string): number {
  try {
    const handle = openDb(path, { readonly: true });
    try {
      return (handle.prepare('SELECT count(*) AS n FROM queries').get() as { n: number }).n;
    } finally {
      handle.close();
    }
  } catch {
    return 0;
  }
}
