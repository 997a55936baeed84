import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crawl, type CrawlOptions, type ListSourceOptions } from '../crawler/index.js';
import { openDb } from '../db/index.js';
import { loadMatcher } from '../queries/index.js';
import { makeCrawlDb, pairCounts } from './fixtures/crawl-db.js';
import { exited, runWitAsync } from './fixtures/crawl-run.js';
import { openmojiListRows, writeListFile, type ListFixtureRow } from './fixtures/list-files.js';
import { openmojiQueries } from './fixtures/openmoji-site.js';
import { startWit } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-lists-');
const queries = openmojiQueries;
const rows = openmojiListRows();
const file = (name: string) => join(dir, name);

interface PairView {
  image_url: string;
  text: string;
  text_origin: string;
  query: string | null;
  extra: string | null;
}

function pairsOf(path: string): PairView[] {
  const db = openDb(path, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT p.image_url, p.text, p.text_origin, q.text AS query, p.extra FROM pairs p LEFT JOIN queries q ON q.id = p.query_id
         ORDER BY p.image_url, p.text`,
      )
      .all() as PairView[];
  } finally {
    db.close();
  }
}

/** (url, caption) of the rows whose caption matches a query: what a list crawl must store, with no cap in the way. */
function matchingRows(list: readonly ListFixtureRow[]): string[] {
  const db = makeCrawlDb(file(`matcher-${Math.random()}.db`), queries);
  const matcher = loadMatcher(db);
  db.close();
  return list
    .filter((row) => matcher.match(String(row.caption)).length > 0)
    .map((row) => `${row.url} ${row.caption}`)
    .sort();
}

async function crawlList(name: string, source: Omit<ListSourceOptions, 'kind'>, options: Omit<CrawlOptions, 'source'> = {}) {
  const path = file(name);
  const db = makeCrawlDb(path, queries);
  try {
    const summary = await crawl(db, { source: { kind: 'list', ...source }, ...options });
    return { path, summary };
  } finally {
    db.close();
  }
}

function sourceFiles(
  path: string,
): Array<{ location: string; state: string; position: number; records: number; pairs: number; error: string | null }> {
  const db = openDb(path, { readonly: true });
  try {
    return db.prepare('SELECT location, state, position, records, pairs, error FROM source_files ORDER BY id').all() as ReturnType<
      typeof sourceFiles
    >;
  } finally {
    db.close();
  }
}

beforeAll(() => {
  writeListFile(file('list.parquet'), rows, { rowGroupSize: 500 });
  writeListFile(file('list.csv'), rows);
  writeListFile(file('list.tsv.gz'), rows);
  writeListFile(file('list.jsonl'), rows);
  writeListFile(file('list.json.gz'), rows);
  writeListFile(file('list.txt'), rows);
});

describe('wit crawl --pairs: formats', () => {
  it('stores the same pairs from parquet, csv, tsv.gz, jsonl and json.gz: every row whose caption matches a query', async () => {
    const expected = matchingRows(rows);
    expect(expected.length).toBeGreaterThan(300);
    expect(expected.length).toBeLessThan(rows.length);
    expect(expected.some((pair) => pair.includes(', "'))).toBe(true); // quotes and commas went through
    for (const name of ['list.parquet', 'list.csv', 'list.tsv.gz', 'list.jsonl', 'list.json.gz']) {
      const { path, summary } = await crawlList(`${name}.db`, { files: [file(name)] });
      const pairs = pairsOf(path);
      expect(pairs.map((p) => `${p.image_url} ${p.text}`).sort(), name).toEqual(expected);
      expect(new Set(pairs.map((p) => p.text_origin)), name).toEqual(new Set(['list']));
      expect(summary.lists.rows, name).toBe(rows.length);
      expect(summary.pairs.unmatched, name).toBe(rows.length - expected.length);
      expect(sourceFiles(path), name).toEqual([
        { location: file(name), state: 'done', position: rows.length, records: rows.length, pairs: expected.length, error: null },
      ]);
    }
  });

  it('reads csv fields with quotes and embedded newlines as one caption', async () => {
    writeFileSync(
      file('quoted.csv'),
      'url,caption\r\nhttps://a.example/1.png,"a black cat\non a ""red"" mat, asleep"\r\nhttps://a.example/2.png,heart\r\n',
    );
    const { path } = await crawlList('quoted.db', { files: [file('quoted.csv')] });
    expect(pairsOf(path).map((p) => [p.image_url, p.text, p.query])).toEqual([
      // One caption across the quoted newline, whitespace collapsed as for every source.
      ['https://a.example/1.png', 'a black cat on a "red" mat, asleep', 'cat'],
      ['https://a.example/2.png', 'heart', 'heart'],
    ]);
  });

  it('a txt list gives URLs without captions: none matches a query, --keep-unmatched keeps them all', async () => {
    const dropped = await crawlList('txt.db', { files: [file('list.txt')] });
    expect(pairsOf(dropped.path)).toEqual([]);
    expect(dropped.summary.pairs.unmatched).toBe(rows.length);
    const kept = await crawlList('txt-kept.db', { files: [file('list.txt')], keepUnmatched: true });
    const pairs = pairsOf(kept.path);
    expect(pairs.length).toBe(rows.length);
    expect(pairs.every((p) => p.text === '' && p.query === null)).toBe(true);
  });
});

describe('wit crawl --pairs: the cap, saved columns, unmatched pairs', () => {
  it('holds the per-query cap', async () => {
    const { path, summary } = await crawlList('capped.db', { files: [file('list.parquet')] }, { cap: 5 });
    expect(summary.pairs.overCap).toBeGreaterThan(0);
    const db = openDb(path, { readonly: true });
    const counts = pairCounts(db);
    db.close();
    for (const row of counts) {
      expect(row.pair_count).toBeLessThanOrEqual(5);
      expect(row.pair_count).toBe(row.actual);
    }
    expect(counts.filter((row) => row.actual === 5).length).toBeGreaterThan(10);
  });

  it('keeps --save-cols in pairs.extra as a JSON object, numbers as numbers', async () => {
    const { path } = await crawlList('saved.db', { files: [file('list.parquet')], saveColumns: ['subgroup', 'n'] });
    const byUrl = new Map(rows.map((row) => [row.url, row]));
    const pairs = pairsOf(path);
    expect(pairs.length).toBeGreaterThan(300);
    for (const pair of pairs) {
      const row = byUrl.get(pair.image_url)!;
      expect(JSON.parse(pair.extra!)).toEqual({ subgroup: row.subgroup, n: row.n });
    }
    const fromCsv = pairsOf((await crawlList('saved-csv.db', { files: [file('list.csv')], saveColumns: ['subgroup'] })).path);
    expect(JSON.parse(fromCsv[0]!.extra!)).toEqual({ subgroup: byUrl.get(fromCsv[0]!.image_url)!.subgroup });
  });

  it('--keep-unmatched stores the pairs matching no query with no query, outside the cap', async () => {
    const { path, summary } = await crawlList('unmatched.db', { files: [file('list.jsonl')], keepUnmatched: true }, { cap: 5 });
    const pairs = pairsOf(path);
    const unmatched = pairs.filter((p) => p.query === null);
    expect(unmatched.length).toBe(rows.length - matchingRows(rows).length);
    expect(pairs.length - unmatched.length).toBeLessThanOrEqual(5 * queries.length);
    expect(summary.pairs.unmatched).toBe(0);
    const db = openDb(path, { readonly: true });
    for (const row of pairCounts(db)) expect(row.pair_count).toBe(row.actual);
    db.close();
  });
});

describe('wit crawl --pairs: bad input', () => {
  it('names a missing column, the file and the columns it has, and reads nothing of it', async () => {
    for (const name of ['list.csv', 'list.parquet', 'list.jsonl']) {
      const path = file(`missing-${name}.db`);
      makeCrawlDb(path, queries).close();
      const result = await runWitAsync(['crawl', '--db', path, '--pairs', file(name), '--caption-col', 'TEXT']);
      expect(result.status, name).toBe(1);
      expect(result.stderr, name).toMatch(
        new RegExp(`${name.replace('.', '\\.')} has no column "TEXT" \\(--caption-col\\); its columns are: "url", "caption", "group"`),
      );
      expect(pairsOf(path), name).toEqual([]);
      expect(sourceFiles(path)[0]?.state, name).toBe('pending');
    }
  });

  it('names the flag when the list flags are wrong (exit 2)', async () => {
    const path = file('flags.db');
    makeCrawlDb(path, queries).close();
    const alone = await runWitAsync(['crawl', '--db', path, '--seed', 'https://example.org/', '--keep-unmatched']);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toMatch(/--keep-unmatched goes with --pairs FILE/);
    const emptyCols = await runWitAsync(['crawl', '--db', path, '--pairs', file('list.csv'), '--save-cols', ' , ']);
    expect(emptyCols.status).toBe(2);
    expect(emptyCols.stderr).toMatch(/--save-cols must name columns/);
    expect(pairsOf(path)).toEqual([]);
  });

  it('refuses a binary file given as csv', async () => {
    copyFileSync(file('list.parquet'), file('binary.csv'));
    const path = file('binary.db');
    makeCrawlDb(path, queries).close();
    const result = await runWitAsync(['crawl', '--db', path, '--pairs', file('binary.csv')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/binary\.csv is not a text list: it holds binary data .*It looks like parquet: name it \.parquet/);
    expect(pairsOf(path)).toEqual([]);
  });

  it('marks a file with bad data partway failed at the rows committed before it, and goes on with the next file', async () => {
    const lines = readFileSync(file('list.jsonl'), 'utf8').split('\n');
    lines.splice(1500, 0, '{"url": "https://img.example.org/broken.svg", "caption": "cat');
    writeFileSync(file('broken.jsonl'), lines.join('\n'));
    const gz = readFileSync(file('list.tsv.gz'));
    writeFileSync(file('truncated.tsv.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
    const { path, summary } = await crawlList('broken.db', { files: [file('broken.jsonl'), file('truncated.tsv.gz'), file('list.csv')] });
    const [broken, truncated, good] = sourceFiles(path);
    expect(broken).toMatchObject({ state: 'failed', position: 1500, records: 1500 });
    expect(broken!.error).toMatch(/broken\.jsonl, row 1501: not JSON/);
    expect(truncated!.state).toBe('failed');
    expect(truncated!.error).toMatch(/truncated\.tsv\.gz, row \d+: unexpected end of file/);
    expect(truncated!.records).toBeGreaterThan(0);
    expect(truncated!.records).toBeLessThan(rows.length);
    expect(good).toMatchObject({ state: 'done', records: rows.length });
    expect(summary.lists.failed).toBe(2);
    const firstRows = matchingRows(rows.slice(0, 1500));
    const stored = new Set(pairsOf(path).map((p) => `${p.image_url} ${p.text}`));
    for (const pair of firstRows) expect(stored.has(pair)).toBe(true);
    expect(pairsOf(path).some((p) => p.image_url.includes('broken'))).toBe(false);
  });
});

function rowsCommitted(path: string): number {
  const db = openDb(path, { readonly: true });
  try {
    return (db.prepare('SELECT coalesce(sum(records), 0) AS n FROM source_files').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('wit crawl --pairs: resume and partitions (CLI)', () => {
  const big = openmojiListRows(12); // about 30,000 rows a file: a commit at 20,000 rows, then the end, so a kill lands mid-file
  let lists: string[];
  let reference: PairView[];

  beforeAll(async () => {
    lists = [file('big.tsv.gz'), file('big.parquet')];
    writeListFile(lists[0]!, big);
    writeListFile(
      lists[1]!,
      big.map((row) => ({ ...row, url: `${row.url}?p` })),
      { rowGroupSize: 7000 },
    ); // 20,000 rows committed is inside a row group
    const path = file('big-reference.db');
    makeCrawlDb(path, queries).close();
    const result = await runWitAsync(['crawl', '--db', path, '--pairs', ...lists, '--save-cols', 'n', '--keep-unmatched']);
    expect(result.status, result.stderr).toBe(0);
    reference = pairsOf(path);
    expect(reference.length).toBe(2 * big.length);
  }, 120_000);

  it('resumes after SIGKILL mid-file: the same pairs as one run, none twice, every row counted once', async () => {
    for (const [at, killAt] of [
      [0, 10_000],
      [1, big.length + 10_000],
    ] as const) {
      const path = file(`killed-${at}.db`);
      makeCrawlDb(path, queries).close();
      const child = startWit(['crawl', '--db', path, '--pairs', ...lists, '--save-cols', 'n', '--keep-unmatched']);
      const end = exited(child);
      const start = Date.now();
      while (rowsCommitted(path) < killAt) {
        if (Date.now() - start > 100_000) throw new Error(`timed out waiting for ${killAt} rows`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.kill('SIGKILL');
      expect((await end).signal).toBe('SIGKILL');
      const files = sourceFiles(path);
      expect(files[at]!.state, `killed in ${lists[at]}`).toBe('running');
      expect(files[at]!.position).toBeLessThan(big.length);
      const resumed = await runWitAsync(['crawl', '--db', path, '--pairs', ...lists, '--save-cols', 'n', '--keep-unmatched']);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(pairsOf(path)).toEqual(reference);
      expect(sourceFiles(path).map((f) => [f.state, f.records, f.position])).toEqual([
        ['done', big.length, big.length],
        ['done', big.length, big.length],
      ]);
    }
  }, 240_000);

  it('--partition 1/2 and 2/2 (by file, and by row group inside the parquet file) merge to the one run', async () => {
    const parts = [1, 2].map((i) => file(`list-part-${i}.db`));
    for (const part of parts) makeCrawlDb(part, queries).close();
    const csvs = [0, 1, 2, 3].map((i) => file(`part-${i}.csv`));
    csvs.forEach((csv, i) => writeListFile(csv, rows.slice(i * 500, (i + 1) * 500)));
    const args = (db: string) => ['crawl', '--db', db, '--pairs', file('big.parquet'), ...csvs, '--save-cols', 'n', '--keep-unmatched'];
    const whole = file('list-whole.db');
    makeCrawlDb(whole, queries).close();
    expect((await runWitAsync(args(whole))).status).toBe(0);
    const results = await Promise.all(parts.map((part, i) => runWitAsync([...args(part), '--partition', `${i + 1}/2`])));
    for (const result of results) expect(result.status, result.stderr).toBe(0);
    const sizes = parts.map((part) => pairsOf(part).length);
    expect(sizes.every((n) => n > 0)).toBe(true);
    expect(sizes[0]! + sizes[1]!).toBe(pairsOf(whole).length);
    for (const part of parts) {
      const parquetRows = sourceFiles(part).find((f) => f.location.endsWith('big.parquet'))!.records;
      expect(parquetRows).toBeGreaterThan(0);
      expect(parquetRows).toBeLessThan(big.length); // the one parquet file is split by row group
    }
    const merged = file('list-merged.db');
    const merge = await runWitAsync(['db', 'merge', merged, ...parts]);
    expect(merge.status, merge.stderr).toBe(0);
    // Which of several matching queries a pair counts against depends on the order pairs arrive, so the query itself is not compared.
    const view = (path: string) => pairsOf(path).map((p) => [p.image_url, p.text, p.extra, p.query === null]);
    expect(view(merged)).toEqual(view(whole));
    const db = openDb(merged, { readonly: true });
    for (const row of pairCounts(db)) expect(row.pair_count).toBe(row.actual);
    db.close();
  }, 240_000);
});
