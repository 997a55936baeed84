import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderSnapshot } from './fixtures/folder-snapshot.js';
import { runWit, startWit } from './fixtures/run-wit.js';
import { emoji, makeShardsFixture, rasterEmoji } from './fixtures/shards-data.js';
import { readShardsWithPython } from './fixtures/shards-python.js';
import { tempDir } from './fixtures/temp-dir.js';

const shardSize = 20;
const samples = 2000;

/** Resolves once a file matching `test` appears in `dir` (polled), or after `timeoutMillis`. */
async function waitForFile(dir: string, test: (name: string) => boolean, timeoutMillis: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    if (existsSync(dir) && readdirSync(dir).some(test)) return true;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return false;
}

describe('wit shards build, killed', () => {
  it('keeps the previous shards untouched when a rebuild is SIGKILLed, leaves no finished-looking partial shard, and a re-run completes', async () => {
    const dir = tempDir('wit-shards-kill-');
    const pairs = Array.from({ length: samples }, (_, i) => ({ image: 'dog', text: `a dog photo number ${i}`, query: `dog ${i % 7}` }));
    const fixture = await makeShardsFixture(
      dir,
      { dog: { bytes: await rasterEmoji(emoji[1], 96), url: 'http://img.test/dog.png' } },
      pairs,
    );
    const out = join(dir, 'shards');
    const staging = `${out}.partial`;
    const args = [
      'shards',
      'build',
      '--db',
      fixture.dbPath,
      '--images',
      fixture.imagesDir,
      '--out',
      out,
      '--shard-size',
      String(shardSize),
      '--captions-per-image',
      String(samples),
      '--val-fraction',
      '0',
    ];
    expect(runWit(args).status).toBe(0);
    const good = folderSnapshot(out);
    const rebuild = [...args, '--seed', '1'];

    const child = startWit(rebuild);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const started = await waitForFile(staging, (name) => name === 'train-000001.tar', 60_000);
    child.kill('SIGKILL');
    expect(started).toBe(true);
    expect(await exited).toBe('SIGKILL');

    expect(folderSnapshot(out)).toEqual(good);
    const names = readdirSync(staging);
    expect(names).not.toContain('manifest.json');
    expect(names).not.toContain('sizes.json');
    const finished = names.filter((name) => name.endsWith('.tar')).sort();
    expect(finished.length).toBeLessThan(samples / shardSize);
    const report = readShardsWithPython(finished.map((name) => join(staging, name)));
    for (const name of finished) {
      const keys = Object.values(report[join(staging, name)]!.keys);
      expect([name, keys.length]).toEqual([name, shardSize]);
      for (const extensions of keys) expect(extensions).toEqual(['jpg', 'json', 'txt']);
    }
    expect(names.every((name) => name.endsWith('.tar') || name.endsWith('.partial'))).toBe(true);

    const rerun = runWit(rebuild);
    expect(rerun.status).toBe(0);
    expect(existsSync(staging)).toBe(false);
    const after = readdirSync(out);
    expect(after.filter((name) => name.endsWith('.partial'))).toEqual([]);
    expect(after.filter((name) => name.endsWith('.tar'))).toHaveLength(samples / shardSize);
    const sizes = JSON.parse(readFileSync(join(out, 'sizes.json'), 'utf8')) as Record<string, number>;
    expect(Object.values(sizes).reduce((a, b) => a + b, 0)).toBe(samples);
    expect(folderSnapshot(out).get('train-000000.tar')).not.toBe(good.get('train-000000.tar'));
  }, 180_000);
});
