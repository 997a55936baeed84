import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDb, runReadonlySql, showRow } from '../db/index.js';
import { latestVersion, migrations } from '../db/migrations.js';
import { WitError } from '../core/index.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir();

function tables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  db.close();
  return names;
}

describe('openDb', () => {
  it('creates the whole schema on a new file, in WAL mode, at the latest version', () => {
    const path = join(dir, 'new.db');
    const db = openDb(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('page_size', { simple: true })).toBe(16384);
    db.close();
    expect(tables(path)).toEqual(['curation', 'images', 'meta', 'pages', 'pairs', 'queries', 'robots', 'source_files']);
  });

  it('keeps data when reopened', () => {
    const path = join(dir, 'reopen.db');
    const db = openDb(path);
    db.prepare("INSERT INTO queries (text, origin) VALUES ('golden retriever', 'wordnet')").run();
    db.close();
    const again = openDb(path);
    expect(again.prepare('SELECT text, origin, state, pair_count FROM queries').all()).toEqual([
      { text: 'golden retriever', origin: 'wordnet', state: 'pending', pair_count: 0 },
    ]);
    again.close();
  });

  it('migrates a db written at an older version forward and keeps its rows', () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    migrations[0]!.up(old);
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO queries (text, origin, pair_count, state) VALUES ('dog', 'unigram', 7, 'done')").run();
    old.prepare("INSERT INTO pairs (image_url, text, text_origin, query_id) VALUES ('http://a/dog.jpg', 'a dog', 'alt', 1)").run();
    old.close();
    expect(tables(path)).not.toContain('curation');

    const db = openDb(path);
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
    expect(db.pragma('page_size', { simple: true })).toBe(4096); // an existing file keeps its pages
    expect(db.prepare('SELECT text, pair_count, state FROM queries').get()).toEqual({ text: 'dog', pair_count: 7, state: 'done' });
    db.prepare("INSERT INTO curation (pair_id, decision, reason) VALUES (1, 'drop', 'caption_too_short')").run();
    db.close();
    expect(tables(path)).toContain('curation');
  });

  it('rebuilds pairs at version 4 with the same ids, keeping curation rows that point at them', () => {
    const path = join(dir, 'v3.db');
    const old = new Database(path);
    for (const step of migrations.filter((m) => m.version <= 3)) step.up(old);
    old.pragma('user_version = 3');
    old.prepare("INSERT INTO queries (text, origin) VALUES ('dog', 'unigram')").run();
    old.prepare("INSERT INTO pairs (id, image_url, text, text_origin, query_id) VALUES (41, 'http://a/dog.jpg', 'a dog', 'alt', 1)").run();
    old.prepare("INSERT INTO curation (pair_id, decision, reason) VALUES (41, 'drop', 'caption_too_short')").run();
    old.close();

    const db = openDb(path);
    expect(db.prepare('SELECT p.id, p.text, c.reason FROM pairs p JOIN curation c ON c.pair_id = p.id').all()).toEqual([
      { id: 41, text: 'a dog', reason: 'caption_too_short' },
    ]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.prepare(
      "INSERT INTO pairs (image_url, text, text_origin, query_id, extra) VALUES ('http://a/x.jpg', 'x', 'list', NULL, '{}')",
    ).run();
    db.close();
  });

  it('refuses a db from a newer wit and leaves its bytes unchanged', () => {
    const path = join(dir, 'newer.db');
    const db = openDb(path);
    db.prepare("INSERT INTO queries (text, origin) VALUES ('cat', 'unigram')").run();
    db.pragma(`user_version = ${latestVersion + 1}`);
    db.close();
    const before = readFileSync(path);
    expect(() => openDb(path)).toThrow(/newer wit/);
    expect(() => openDb(path, { readonly: true })).toThrow(/newer wit/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('gives a clear error for a file that is not SQLite, and leaves it alone', () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'these are my notes, not a database\n');
    expect(() => openDb(path)).toThrow(WitError);
    expect(() => openDb(path)).toThrow(/not a SQLite database/);
    expect(readFileSync(path, 'utf8')).toBe('these are my notes, not a database\n');
  });

  it('gives a clear error for a path in a missing folder', () => {
    expect(() => openDb(join(dir, 'missing', 'wit.db'))).toThrow(/folder .*missing does not exist/);
  });

  it('does not create a file when create is off', () => {
    expect(() => openDb(join(dir, 'typo.db'), { create: false })).toThrow(/does not exist/);
    expect(() => tables(join(dir, 'typo.db'))).toThrow();
  });
});

describe('read-only sql', () => {
  const path = join(dir, 'sql.db');
  const setup = openDb(path);
  setup.prepare("INSERT INTO queries (text, origin) VALUES ('dog', 'wordnet'), ('cat', 'wordnet')").run();
  setup.close();

  it('answers a SELECT', () => {
    const db = openDb(path, { readonly: true });
    const result = runReadonlySql(db, 'SELECT text FROM queries ORDER BY text');
    expect(result.columns).toEqual(['text']);
    expect(result.rows).toEqual([{ text: 'cat' }, { text: 'dog' }]);
    db.close();
  });

  it.each([
    "INSERT INTO queries (text, origin) VALUES ('x', 'user')",
    'UPDATE queries SET pair_count = 5',
    'DROP TABLE queries',
    'DELETE FROM queries',
  ])('refuses %s and changes nothing', (statement) => {
    const db = openDb(path, { readonly: true });
    expect(() => runReadonlySql(db, statement)).toThrow(/read-only/);
    db.close();
    const check = openDb(path);
    expect(check.prepare('SELECT text, pair_count FROM queries ORDER BY text').all()).toEqual([
      { text: 'cat', pair_count: 0 },
      { text: 'dog', pair_count: 0 },
    ]);
    check.close();
  });

  it('names a syntax error', () => {
    const db = openDb(path, { readonly: true });
    expect(() => runReadonlySql(db, 'SELEC nothing')).toThrow(/SQL error/);
    db.close();
  });
});

describe('show', () => {
  it('joins a pair with its query, page, image and curation decision', () => {
    const db = openDb(join(dir, 'show.db'));
    db.prepare("INSERT INTO queries (text, origin) VALUES ('grinning face', 'wordnet')").run();
    db.prepare("INSERT INTO pages (url, host, state) VALUES ('http://h/p', 'h', 'done')").run();
    db.prepare(
      "INSERT INTO pairs (image_url, text, text_origin, page_url, query_id) VALUES ('http://h/1.png', 'grinning face', 'alt', 'http://h/p', 1)",
    ).run();
    db.prepare("INSERT INTO images (url, host, state, error) VALUES ('http://h/1.png', 'h', 'failed', 'http_404')").run();
    db.prepare("INSERT INTO curation (pair_id, decision, reason) VALUES (1, 'drop', 'no_image')").run();
    const shown = showRow(db, 'pair', '1') as Record<string, Record<string, unknown>>;
    expect(shown.query?.text).toBe('grinning face');
    expect(shown.page?.state).toBe('done');
    expect(shown.image?.error).toBe('http_404');
    expect(shown.curation).toEqual({ decision: 'drop', reason: 'no_image', shard: null, key: null });
    expect((showRow(db, 'query', 'grinning face').query as Record<string, unknown>).id).toBe(1);

    // A pair from a search result: its page is no crawled page, so there is no page key; not fetched nor curated: null.
    db.prepare(
      "INSERT INTO pairs (image_url, text, text_origin, page_url, query_id) VALUES ('http://h/2.png', 'grinning face', 'api', 'http://h/search?q=grinning', 1)",
    ).run();
    const searched = showRow(db, 'pair', '2');
    expect(Object.keys(searched)).toEqual(['pair', 'query', 'image', 'curation']);
    expect(searched.image).toBeNull();
    expect(searched.curation).toBeNull();
    expect(() => showRow(db, 'image', 'http://nowhere/x.png')).toThrow(/No image/);
    db.close();
  });
});
