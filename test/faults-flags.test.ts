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
