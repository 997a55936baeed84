import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb, type DbStats } from '../db/index.js';
import { runWit, runWitJson } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir();
const subcommands = ['queries', 'crawl', 'fetch', 'shards', 'train', 'eval', 'classify', 'db', 'demo'];

describe('wit CLI', () => {
  it('lists every subcommand in --help and exits 0', () => {
    const result = runWit(['--help']);
    expect(result.status).toBe(0);
    for (const name of subcommands) expect(result.stdout).toMatch(new RegExp(`wit ${name}\\b`));
  });

  it.each(subcommands)('gives %s its own --help', (name) => {
    const result = runWit([name, '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`wit ${name}`);
  });

  it('exits 2 with a usage message for an unknown command', () => {
    const result = runWit(['crawll']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Unknown argument|Did you mean/);
  });

  it('prints db stats of a real db, as text and as JSON', () => {
    const path = join(dir, 'stats.db');
    const db = openDb(path);
    db.prepare(
      "INSERT INTO queries (text, origin, pair_count, state) VALUES ('dog', 'wordnet', 3, 'done'), ('cat', 'wordnet', 1, 'pending')",
    ).run();
    db.prepare(
      "INSERT INTO images (url, host, state, error) VALUES ('http://h/a.jpg', 'h', 'failed', 'http_404'), ('http://h/b.jpg', 'h', 'failed', 'timeout')",
    ).run();
    db.close();

    const text = runWit(['db', 'stats', '--db', path]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('queries: 1 done, 1 left');
    expect(text.stdout).toMatch(/http_404 1/);

    const stats = runWitJson<DbStats>(['db', 'stats', '--db', path, '--json']);
    expect(stats.rows.queries).toBe(2);
    expect(stats.topQueries[0]!.text).toBe('dog');
    expect(stats.failingHosts[0]).toMatchObject({ host: 'h', failures: 2 });
    expect(stats.imageFailures).toEqual({ http_404: 1, timeout: 1 });
  });

  it('refuses a write through db sql with a clear message and exit 1', () => {
    const path = join(dir, 'sql.db');
    openDb(path).close();
    const result = runWit(['db', 'sql', '--db', path, 'DROP TABLE queries']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('read-only');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const csv = runWit(['db', 'sql', '--db', path, '--csv', "SELECT name FROM sqlite_master WHERE name = 'queries'"]);
    expect(csv.stdout).toBe('name\r\nqueries\r\n');
  });

  it('names a bad --db path without a stack trace', () => {
    const missingFolder = runWit(['db', 'stats', '--db', join(dir, 'no', 'such', 'wit.db')]);
    expect(missingFolder.status).toBe(1);
    expect(missingFolder.stderr).toMatch(/folder .* does not exist/);
    expect(missingFolder.stderr).not.toMatch(/\n\s+at /);

    const missingFile = runWit(['db', 'stats', '--db', join(dir, 'typo.db')]);
    expect(missingFile.status).toBe(1);
    expect(missingFile.stderr).toContain('does not exist');
  });

  it('rejects a bad flag combination with exit 2 and a message, not a stack trace', () => {
    const result = runWit(['crawl', '--db', join(dir, 'crawl.db')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--search .*--seed/);
    expect(result.stderr).not.toMatch(/\n\s+at |unexpected failure/);
  });
});
