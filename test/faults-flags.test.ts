import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWit } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-faults-flags-');
const out = join(dir, 'run');
const seed = ['--seed', 'http://127.0.0.1:9/'];

// Each of these used to run (or crash with exit 70, or exit 1 in train) before the flags were checked at the edge.
const badFlags: Array<[string, string[]]> = [
  ['--image-size', ['train', '--shards', dir, '--out', out, '--image-size', '100000']],
  ['--workers', ['train', '--shards', dir, '--out', out, '--workers', '999']],
  ['--seed', ['train', '--shards', dir, '--out', out, '--seed', '-1']],
  ['--lr', ['train', '--shards', dir, '--out', out, '--lr', 'fast']],
  ['--shards', ['train', '--out', out]],
  ['--retries', ['crawl', ...seed, '--retries', '1e9']],
  ['--host-delay', ['crawl', ...seed, '--host-delay', '86400000']],
  ['--cap', ['crawl', ...seed, '--cap']],
  ['--seed', ['crawl', '--seed']],
  ['--timeout-secs', ['fetch', '--timeout-secs', '99999']],
  ['--decode-concurrency', ['fetch', '--decode-concurrency', '10000']],
  ['--db', ['db', 'stats', '--db']],
  ['--cap', ['shards', 'build', '--out', out, '--cap']],
];

describe('flags are checked at the edge of every command', () => {
  it.each(badFlags)('%s: exits 2 naming the flag, before any work', (flag, args) => {
    const result = runWit(args, { cwd: dir });
    expect(result.stderr).not.toMatch(/unexpected failure|\n\s+at /);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(flag);
  });
});

describe('queries import refuses what is no list of queries, naming the line', () => {
  const db = join(dir, 'queries.db');
  const lines = ['red panda', 'snow leopard'];

  it('bytes that are no UTF-8 (and no NUL byte to call them binary): exit 1, nothing imported', () => {
    // Latin-1 "café" on line 3: valid text in another encoding, no NUL byte.
    const file = join(dir, 'latin1.txt');
    writeFileSync(file, Buffer.concat([Buffer.from(`${lines.join('\n')}\ncaf`), Buffer.from([0xe9]), Buffer.from('\n')]));
    const result = runWit(['queries', 'import', '--db', db, file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}, line 3: not valid UTF-8`);
    expect(runWit(['queries', 'export', '--db', db]).stdout).toBe('');
  });

  it('a line longer than a query may be: exit 1 naming the line', () => {
    const file = join(dir, 'long.txt');
    writeFileSync(file, `${lines.join('\n')}\n${'the quick brown fox '.repeat(1000)}\n`);
    const result = runWit(['queries', 'import', '--db', db, file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/long\.txt, line 3: 20,000 characters, more than a query may hold \(1000\)/);
  });
});
