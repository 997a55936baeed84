import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawl, type CrawlOptions } from '../crawler/index.js';
import { openDb, sourceFileAt, type WitDb } from '../db/index.js';
import { readWordnetGlosses } from '../queries/index.js';
import { makeCrawlDb, pairCounts, storedPairs } from './fixtures/crawl-db.js';
import { exited, runWitAsync, waitFor } from './fixtures/crawl-run.js';
import { startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { startWit, witBin } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';
import { hasWget, serveFiles, watJson, wgetWarc, writeWarc, type RecordSpec } from './fixtures/warc-files.js';

const dir = tempDir();
const queries = ['cat', 'face', 'red heart', 'grinning', 'flag', 'hand', 'person', 'arrow', 'star', 'food'];
// Faults, images and the data API are left out of the archive: wget would take minutes over /fault/slow and the 50 MB page.
const reject = '/fault|/img/|/api/|pixel';
let site: OpenmojiSite;
let warcGz: string;
let warcPlain: string;
let sitePairs: string[];

if (!hasWget)
  console.warn('\n*** crawl-warc: wget is not installed (apt-get install -y wget): the wget-written archive tests are SKIPPED ***\n');

function pairSet(db: WitDb): string[] {
  return storedPairs(db)
    .map((p) => `${p.image_url} ${p.text} ${p.text_origin}`)
    .sort();
}

function withDb<T>(path: string, use: (db: WitDb) => T): T {
  const db = openDb(path, { readonly: true });
  try {
    return use(db);
  } finally {
    db.close();
  }
}

function warcCrawl(db: WitDb, archives: string[], overrides: Partial<CrawlOptions> = {}) {
  return crawl(db, { source: { kind: 'warc', archives }, fetcher: { allowPrivate: true }, ...overrides });
}

beforeAll(async () => {
  site = await startOpenmojiSite();
  if (!hasWget) return;
  warcGz = await wgetWarc(`${site.url}/`, join(dir, 'site'), { depth: 2, reject });
  warcPlain = await wgetWarc(`${site.url}/`, join(dir, 'site-plain'), { depth: 2, reject, compress: false });
  const db = makeCrawlDb(join(dir, 'site-source.db'), queries);
  try {
    await crawl(db, {
      source: { kind: 'site', seeds: [`${site.url}/`], maxDepth: 2 },
      fetcher: { allowPrivate: true, hostDelayMillis: 0 },
    });
    sitePairs = pairSet(db);
  } finally {
    db.close();
  }
}, 120_000);
afterAll(() => site.close());

describe.skipIf(!hasWget)('crawl --warc on archives written by wget', () => {
  it('stores the same pairs as the site source on the same site, from .warc.gz and from .warc', async () => {
    expect(sitePairs.length).toBeGreaterThan(300);
    for (const [name, archive] of [
      ['gz', warcGz],
      ['plain', warcPlain],
    ] as const) {
      const db = makeCrawlDb(join(dir, `wget-${name}.db`), queries);
      try {
        const summary = await warcCrawl(db, [archive!]);
        expect(pairSet(db)).toEqual(sitePairs);
        for (const row of pairCounts(db)) expect(row.pair_count).toBe(row.actual);
        expect(summary.archives).toMatchObject({ done: 1, failed: [], left: 0 });
        expect(summary.archives!.records.skipped).toBeGreaterThan(0); // requests, warcinfo, robots.txt, 404s
        const row = sourceFileAt(db, archive!)!;
        expect(row).toMatchObject({
          kind: 'warc',
          state: 'done',
          position: readFileSync(archive!).length,
          pairs: sitePairs.length,
          error: null,
        });
        expect(row.records).toBe(summary.archives!.records.read);
        // A second run reads nothing again.
        const again = await warcCrawl(db, [archive!]);
        expect(again.archives?.records.read ?? 0).toBe(0);
        expect(pairSet(db)).toEqual(sitePairs);
      } finally {
        db.close();
      }
    }
  });

  it('reads an archive over HTTP; killed with SIGKILL mid-file and rerun, it resumes with a Range request and stores each pair once', async () => {
    const served = join(dir, 'served');
    mkdirSync(served, { recursive: true });
    // The site's archive ten times over (2,540 records): more than one commit takes, so the kill comes between two.
    const servedWarc = join(served, 'site.warc.gz');
    writeFileSync(servedWarc, Buffer.concat(Array.from({ length: 10 }, () => readFileSync(warcGz))));
    const server = await serveFiles(served, 15);
    const path = join(dir, 'killed.db');
    makeCrawlDb(path, queries).close();
    const url = `${server.url}/site.warc.gz`;
    const args = ['crawl', '--db', path, '--warc', url, '--allow-private'];
    try {
      const child = startWit(args);
      const end = exited(child);
      await waitFor(() => withDb(path, (db) => (sourceFileAt(db, url)?.position ?? 0) > 0), 'a first commit');
      child.kill('SIGKILL');
      expect((await end).signal).toBe('SIGKILL');
      const atKill = withDb(path, (db) => sourceFileAt(db, url)!);
      expect(atKill.state).toBe('running');
      expect(atKill.position).toBeLessThan(readFileSync(servedWarc).length);
      const resumed = await runWitAsync(args);
      expect(resumed.stderr).not.toMatch(/Error|at /);
      expect(resumed.status).toBe(0);
      expect(server.rangeRequests()).toBe(1);
      withDb(path, (db) => {
        expect(pairSet(db)).toEqual(sitePairs);
        for (const row of pairCounts(db)) expect(row.pair_count).toBe(row.actual);
        expect(sourceFileAt(db, url)).toMatchObject({ state: 'done', pairs: sitePairs.length });
      });
      const stats = await runWitAsync(['db', 'stats', '--db', path]);
      expect(stats.stdout).toMatch(/warc\s+done\s+1/);
    } finally {
      await server.close();
    }
  }, 120_000);
});

const page = (n: number, body: string): RecordSpec => ({
  type: 'response',
  url: `http://example.org/p${n}.html`,
  body: `<html><body>${body}</body></html>`,
});
const cats = (n: number) => page(n, `<img src="/cat${n}.png" alt="cat number ${n}">`);

describe('crawl --warc on bad and odd archives', () => {
  it('marks an archive with a truncated gzip member failed at that member, keeps the pairs before it, and goes on with the next', async () => {
    const parts = await writeWarc(join(dir, 'whole.warc.gz'), [cats(1), cats(2), cats(3)]);
    const cut = join(dir, 'cut.warc.gz');
    const goodBytes = parts[0]!.length + parts[1]!.length;
    writeFileSync(cut, Buffer.concat([parts[0]!, parts[1]!, parts[2]!.subarray(0, parts[2]!.length - 30)]));
    const other = join(dir, 'other.warc.gz');
    await writeWarc(other, [cats(4)]);
    const db = makeCrawlDb(join(dir, 'cut.db'), queries);
    try {
      const summary = await warcCrawl(db, [cut, other]);
      expect(
        storedPairs(db)
          .map((p) => p.text)
          .sort(),
      ).toEqual(['cat number 1', 'cat number 2', 'cat number 4']);
      expect(sourceFileAt(db, cut)).toMatchObject({ state: 'failed', position: goodBytes, records: 2, pairs: 2 });
      expect(sourceFileAt(db, cut)!.error).toMatch(/truncated gzip member at byte \d+|cut short/);
      expect(sourceFileAt(db, other)).toMatchObject({ state: 'done', pairs: 1 });
      expect(summary.archives!.failed).toHaveLength(1);
      // A failed archive is not read again by the same command.
      expect((await warcCrawl(db, [cut, other])).archives?.records.read ?? 0).toBe(0);
    } finally {
      db.close();
    }
  });

  it('marks a corrupt gzip member failed without storing what it garbles', async () => {
    const parts = await writeWarc(join(dir, 'clean.warc.gz'), [cats(1), cats(2), cats(3)]);
    const broken = Buffer.from(parts[1]!);
    for (let i = 20; i < broken.length - 10; i += 7) broken[i] = broken[i]! ^ 0x5a;
    const path = join(dir, 'corrupt.warc.gz');
    writeFileSync(path, Buffer.concat([parts[0]!, broken, parts[2]!]));
    const db = makeCrawlDb(join(dir, 'corrupt.db'), queries);
    try {
      await warcCrawl(db, [path]);
      expect(storedPairs(db).map((p) => p.text)).toEqual(['cat number 1']);
      expect(sourceFileAt(db, path)).toMatchObject({ state: 'failed', position: parts[0]!.length, records: 1 });
    } finally {
      db.close();
    }
  });

  it('refuses a file that is not a WARC, with a clear reason, and leaves no row that looks complete', async () => {
    const path = join(dir, 'notes.warc');
    writeFileSync(path, 'These are my notes.\nNot an archive at all.\n\n');
    const gz = join(dir, 'notes.warc.gz');
    writeFileSync(gz, gzipSync(Buffer.from('{"some": "json"}\n\n')));
    const dbPath = join(dir, 'not-warc.db');
    makeCrawlDb(dbPath, queries).close();
    const result = await runWitAsync(['crawl', '--db', dbPath, '--warc', path, gz]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/failed archive .*notes\.warc: not a WARC file/);
    withDb(dbPath, (db) => {
      for (const location of [path, gz]) {
        expect(sourceFileAt(db, location)).toMatchObject({ state: 'failed', position: 0, records: 0, pairs: 0 });
        expect(sourceFileAt(db, location)!.error).toMatch(/not a WARC file/);
      }
    });
    const missing = await runWitAsync(['crawl', '--db', dbPath, '--warc', join(dir, 'nope.warc.gz')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/No such archive file: .*nope\.warc\.gz/);
  });

  it('stops at a record whose Content-Length is wrong, keeping the records before it', async () => {
    for (const [name, gzip] of [
      ['wrong-length.warc.gz', true],
      ['wrong-length.warc', false],
    ] as const) {
      const parts = await writeWarc(join(dir, `ok-${name}`), [cats(1), cats(2), cats(3)], gzip);
      const text = Buffer.from(gzip ? spawnSync('gzip', ['-dc'], { input: parts[1]! }).stdout : parts[1]!).toString('latin1');
      const declared = Number(/Content-Length: (\d+)/.exec(text)![1]);
      const lying = Buffer.from(text.replace(`Content-Length: ${declared}`, `Content-Length: ${declared + 300}`), 'latin1');
      const path = join(dir, name);
      writeFileSync(path, Buffer.concat([parts[0]!, gzip ? gzipSync(lying) : lying, parts[2]!]));
      const db = makeCrawlDb(join(dir, `${name}.db`), queries);
      try {
        await warcCrawl(db, [path]);
        expect(storedPairs(db).map((p) => p.text)).toEqual(['cat number 1']);
        expect(sourceFileAt(db, path)).toMatchObject({ state: 'failed', position: parts[0]!.length, records: 1, pairs: 1 });
      } finally {
        db.close();
      }
    }
  });

  it('reads pages whose gzip members are larger than a read piece as the same pairs as the plain archive', async () => {
    // Real text, so each member stays large compressed (beyond the 16 KB pieces the reader inflates).
    const glosses = readWordnetGlosses();
    const records = [1, 2, 3, 4, 5, 6].map((n) =>
      page(n, `<p>${glosses.slice(n * 2000, (n + 1) * 2000).join(' ')}</p><img src="/cat${n}.png" alt="cat number ${n}">`),
    );
    const parts = await writeWarc(join(dir, 'big.warc.gz'), records);
    expect(Math.min(...parts.map((part) => part.length))).toBeGreaterThan(32 * 1024);
    await writeWarc(join(dir, 'big.warc'), records, false);
    const pairsOf = async (name: string) => {
      const db = makeCrawlDb(join(dir, `${name}.db`), queries);
      try {
        await warcCrawl(db, [join(dir, name)]);
        expect(sourceFileAt(db, join(dir, name))).toMatchObject({ state: 'done', records: 6, pairs: 6 });
        return pairSet(db);
      } finally {
        db.close();
      }
    };
    const fromGzip = await pairsOf('big.warc.gz');
    expect(fromGzip).toHaveLength(6);
    expect(fromGzip).toEqual(await pairsOf('big.warc'));
  });

  it('gives no pairs from pages that refuse it by X-Robots-Tag or robots meta, nor from records that are not HTML responses', async () => {
    const path = join(dir, 'refusals.warc.gz');
    await writeWarc(path, [
      { ...cats(1), httpHeaders: { 'X-Robots-Tag': 'noai' } },
      page(2, '<meta name="robots" content="noindex"><img src="/cat2.png" alt="cat number 2">'),
      { ...cats(3), httpContentType: 'image/svg+xml' },
      { type: 'resource', url: 'http://example.org/p4.html', body: '<img src="/cat4.png" alt="cat number 4">', contentType: 'text/html' },
      cats(5),
    ]);
    const db = makeCrawlDb(join(dir, 'refusals.db'), queries);
    try {
      const summary = await warcCrawl(db, [path]);
      expect(storedPairs(db).map((p) => p.text)).toEqual(['cat number 5']);
      expect(summary.pages.skipped).toBe(2);
      expect(summary.topReasons).toEqual(
        expect.arrayContaining([
          ['noai', 1],
          ['noindex', 1],
        ]),
      );
      expect(summary.archives!.records).toEqual({ read: 5, skipped: 2 });
    } finally {
      db.close();
    }
  });

  it('takes pairs from WAT metadata records (recognised by content), resolving against the page and its <base>', async () => {
    const path = join(dir, 'segment.warc.wat.gz');
    const links = [
      { path: 'IMG@/src', url: '/img/cat.png', alt: '  A grinning   cat ' },
      { path: 'IMG@/src', url: 'https://cdn.example.net/flag.png', alt: 'flag of a star' },
      { path: 'IMG@/src', url: '/img/no-alt.png' },
      { path: 'A@/href', url: '/cat-page', text: 'cat page' },
      { path: 'IMG@/data-src', url: '/img/lazy-cat.png', alt: 'lazy cat' },
    ];
    await writeWarc(path, [
      { type: 'warcinfo', url: '', body: 'software: test\r\n', contentType: 'application/warc-fields' },
      {
        type: 'metadata',
        url: 'http://example.org/a/page.html',
        body: watJson('http://example.org/a/page.html', links),
        contentType: 'application/json',
      },
      {
        type: 'metadata',
        url: 'http://example.org/b/',
        body: watJson('http://example.org/b/', [{ path: 'IMG@/src', url: 'hand.png', alt: 'hand' }], 'http://static.example.org/x/'),
        contentType: 'application/json',
      },
      { type: 'metadata', url: 'http://example.org/c/', body: '{"not": "a wat envelope"}', contentType: 'application/json' },
    ]);
    const db = makeCrawlDb(join(dir, 'wat.db'), queries);
    try {
      const summary = await warcCrawl(db, [path]);
      expect(db.prepare('SELECT image_url, text, text_origin, page_url FROM pairs ORDER BY image_url').all()).toEqual([
        {
          image_url: 'http://example.org/img/cat.png',
          text: 'A grinning cat',
          text_origin: 'alt',
          page_url: 'http://example.org/a/page.html',
        },
        { image_url: 'http://static.example.org/x/hand.png', text: 'hand', text_origin: 'alt', page_url: 'http://example.org/b/' },
        {
          image_url: 'https://cdn.example.net/flag.png',
          text: 'flag of a star',
          text_origin: 'alt',
          page_url: 'http://example.org/a/page.html',
        },
      ]);
      expect(summary.archives!.records).toEqual({ read: 4, skipped: 2 });
    } finally {
      db.close();
    }
  });

  it('cuts a 50 MB HTML record at --max-page-bytes, reading it in bounded memory, and reads the records after it', async () => {
    const path = join(dir, 'huge.warc.gz');
    const filler = '<p>filler</p>\n'.repeat(Math.ceil((50 * 1024 * 1024) / 14));
    await writeWarc(path, [
      page(1, `<img src="/top.png" alt="cat at the top">${filler}<img src="/bottom.png" alt="cat at the bottom">`),
      cats(2),
    ]);
    const small = join(dir, 'small.warc.gz');
    await writeWarc(small, [cats(2)]);
    const dbPath = join(dir, 'huge.db');
    makeCrawlDb(join(dir, 'small.db'), queries).close();
    makeCrawlDb(dbPath, queries).close();
    // The crawl's peak RSS, alone in a child of its own.
    const peakMiB = (db: string, archive: string) => {
      const script = `
        import { crawl } from ${JSON.stringify(pathToFileURL(join(dirname(witBin), '..', 'crawler', 'index.js')).href)};
        import { openDb } from ${JSON.stringify(pathToFileURL(join(dirname(witBin), '..', 'db', 'index.js')).href)};
        const db = openDb(${JSON.stringify(db)}, { create: false });
        await crawl(db, { source: { kind: 'warc', archives: [${JSON.stringify(archive)}] }, maxPageBytes: 64 * 1024 });
        db.close();
        console.log(process.resourceUsage().maxRSS);`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(child.stderr).toBe('');
      return Number(child.stdout.trim()) / 1024;
    };
    const baseline = peakMiB(join(dir, 'small.db'), small);
    // Read whole, the record alone is 50 MB as bytes, 50 more as a string, and a DOM of millions of nodes.
    expect(peakMiB(dbPath, path) - baseline).toBeLessThan(100);
    withDb(dbPath, (db) => {
      expect(
        storedPairs(db)
          .map((p) => p.text)
          .sort(),
      ).toEqual(['cat at the top', 'cat number 2']);
      expect(sourceFileAt(db, path)).toMatchObject({ state: 'done', records: 2 });
    });
  }, 120_000);
});

describe('crawl --warc-list, --warc-prefix and --partition auto', () => {
  it('reads a gzipped paths file with a prefix, splits it by a Slurm array, and says which share it took', async () => {
    const archives = join(dir, 'segment');
    mkdirSync(archives, { recursive: true });
    const names = ['a', 'b', 'c', 'd'];
    for (const [i, name] of names.entries()) {
      await writeWarc(join(archives, `${name}.warc.gz`), [
        { type: 'response', url: `http://example.org/${name}`, body: `<img src="/${name}.png" alt="cat ${i}">` },
      ]);
    }
    const list = join(dir, 'warc.paths.gz');
    writeFileSync(list, gzipSync(Buffer.from(`${names.map((name) => `${name}.warc.gz`).join('\n')}\n`)));
    const server = await serveFiles(archives);
    try {
      const texts: string[] = [];
      for (const task of [0, 1]) {
        const path = join(dir, `slurm-${task}.db`);
        makeCrawlDb(path, queries).close();
        const child = startWit(
          ['crawl', '--db', path, '--warc-list', list, '--warc-prefix', `${server.url}/`, '--partition', 'auto', '--allow-private'],
          {
            env: { SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '1' },
          },
        );
        const { stderr, code } = await collect(child);
        expect(code).toBe(0);
        expect(stderr).toMatch(new RegExp(`partition ${task + 1}/2, from the Slurm job array`));
        withDb(path, (db) => {
          const mine = storedPairs(db).map((p) => p.text);
          expect(mine).toHaveLength(2);
          texts.push(...mine);
        });
      }
      expect(texts.sort()).toEqual(['cat 0', 'cat 1', 'cat 2', 'cat 3']);
    } finally {
      await server.close();
    }
  });

  it("takes a Kubernetes indexed Job's share, and says what to set when there is no scheduler", async () => {
    const path = join(dir, 'k8s.db');
    makeCrawlDb(path, queries).close();
    const archive = join(dir, 'k8s.warc.gz');
    await writeWarc(archive, [cats(1)]);
    const args = ['crawl', '--db', path, '--warc', archive, '--partition', 'auto'];
    const k8s = await collect(startWit([...args, '--partitions', '3'], { env: { JOB_COMPLETION_INDEX: '0' } }));
    expect(k8s.code).toBe(0);
    expect(k8s.stderr).toMatch(/partition 1\/3, from the Kubernetes indexed Job/);
    const noCount = await collect(startWit(args, { env: { JOB_COMPLETION_INDEX: '0' } }));
    expect(noCount.code).toBe(2);
    expect(noCount.stderr).toMatch(/--partitions N/);
    const none = await collect(startWit(args, { env: {} }));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/SLURM_ARRAY_TASK_ID.*JOB_COMPLETION_INDEX/s);
    const prefixAlone = await collect(
      startWit(['crawl', '--db', path, '--warc', archive, '--warc-prefix', 'https://data.commoncrawl.org/']),
    );
    expect(prefixAlone.code).toBe(2);
    expect(prefixAlone.stderr).toMatch(/--warc-prefix goes with --warc-list/);
    const twoSources = await collect(startWit(['crawl', '--db', path, '--warc', archive, '--seed', 'https://example.org/']));
    expect(twoSources.code).toBe(2);
    expect(twoSources.stderr).toMatch(/exactly one source/);
    const binaryList = await collect(startWit(['crawl', '--db', path, '--warc-list', archive]));
    expect(binaryList.code).toBe(1);
    expect(binaryList.stderr).toMatch(/archive list .*k8s\.warc\.gz is not text/);
  });
});

async function collect(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const { code } = await exited(child);
  return { code, stdout, stderr };
}
