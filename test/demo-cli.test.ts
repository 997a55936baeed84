import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWit } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-demo-cli-');

describe('wit demo flags', () => {
  it('refuses a non-empty --out folder, naming the flag, and leaves the folder as it was', () => {
    const out = join(dir, 'used');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const result = runWit(['demo', '--quick', '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`--out ${out} is not empty`);
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });

  it('refuses a missing --corpus file before it starts anything', () => {
    const out = join(dir, 'fresh');
    const result = runWit(['demo', '--quick', '--out', out, '--corpus', join(dir, 'nope.txt')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--corpus');
    expect(result.stderr).toContain('nope.txt: no such file');
    expect(existsSync(out)).toBe(false);
  });

  it('documents --quick, --out and --corpus', () => {
    const result = runWit(['demo', '--help']);
    expect(result.status).toBe(0);
    for (const flag of ['--quick', '--out', '--corpus']) expect(result.stdout).toContain(flag);
  });
});
