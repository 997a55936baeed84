import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeShardIndex } from '../curate/shard-index.js';
import { ShardWriter } from '../webdataset/index.js';
import { readShardsWithPython } from './fixtures/shards-python.js';
import { tempDir } from './fixtures/temp-dir.js';

function writeSamples(outDir: string, count: number, shardSize: number) {
  const writer = new ShardWriter({ outDir, split: 'train', shardSize });
  for (let i = 0; i < count; i += 1) {
    writer.add({ jpg: Buffer.alloc(700 + i, i), txt: `caption ${i} – café`, json: { caption: `caption ${i}`, index: i } });
  }
  return writer.finish();
}

describe('ShardWriter', () => {
  it('writes ustar shards that python tarfile reads and groups by WebDataset key', () => {
    const dir = tempDir();
    const shards = writeSamples(dir, 5, 2);
    expect(shards.map((s) => [s.name, s.samples])).toEqual([
      ['train-000000.tar', 2],
      ['train-000001.tar', 2],
      ['train-000002.tar', 1],
    ]);
    const report = readShardsWithPython(shards.map((s) => join(dir, s.name)));
    const second = report[join(dir, 'train-000001.tar')]!;
    expect(second.members).toEqual([
      '000001000000.jpg',
      '000001000000.json',
      '000001000000.txt',
      '000001000001.jpg',
      '000001000001.json',
      '000001000001.txt',
    ]);
    expect(second.keys['000001000001']).toEqual(['jpg', 'json', 'txt']);
    expect(second.txt['000001000000']).toBe('caption 2 – café');
    expect(second.json['000001000001']).toEqual({ key: '000001000001', caption: 'caption 3', index: 3 });
    expect(second.headers).toEqual([[946684800, 0, 0, 0o644]]);
    for (const shard of shards) expect(readFileSync(join(dir, shard.name)).length).toBe(shard.bytes);
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('gives byte-identical shards for the same samples', () => {
    const [a, b] = [tempDir(), tempDir()];
    writeSamples(a, 3, 10);
    writeSamples(b, 3, 10);
    expect(readFileSync(join(a, 'train-000000.tar')).equals(readFileSync(join(b, 'train-000000.tar')))).toBe(true);
  });

  it('writes sizes.json in open_clip form and a manifest', () => {
    const dir = tempDir();
    const shards = writeSamples(dir, 3, 2);
    writeShardIndex(dir, shards, { dropped: { caption_too_short: 1 }, config: { shardSize: 2 } });
    expect(JSON.parse(readFileSync(join(dir, 'sizes.json'), 'utf8'))).toEqual({ 'train-000000.tar': 2, 'train-000001.tar': 1 });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.splits).toEqual({ train: { samples: 3, shards: 2, pattern: 'train-{000000..000001}.tar' } });
    expect(existsSync(join(dir, 'manifest.json.partial'))).toBe(false);
  });

  it('abort removes the shard in progress and keeps finished ones', () => {
    const dir = tempDir();
    const writer = new ShardWriter({ outDir: dir, split: 'val', shardSize: 1 });
    writer.add({ jpg: Buffer.alloc(10), txt: 'a b c d e', json: {} });
    writer.add({ jpg: Buffer.alloc(10), txt: 'a b c d e', json: {} });
    const writer2 = new ShardWriter({ outDir: dir, split: 'test', shardSize: 5 });
    writer2.add({ jpg: Buffer.alloc(10), txt: 'x', json: {} });
    expect(existsSync(join(dir, 'test-000000.tar.partial'))).toBe(true);
    writer2.abort();
    expect(readdirSync(dir).sort()).toEqual(['val-000000.tar', 'val-000001.tar']);
  });
});
