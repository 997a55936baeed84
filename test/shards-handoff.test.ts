import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parquetReadObjects } from 'hyparquet';
import { pack } from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildShards } from '../curate/index.js';
import { openDb } from '../db/index.js';
import { readShardSamples, writeShardMetadata } from '../webdataset/index.js';
import { folderSnapshot } from './fixtures/folder-snapshot.js';
import { runWit } from './fixtures/run-wit.js';
import { emoji, makeShardsFixture, rasterEmoji } from './fixtures/shards-data.js';
import { readShardsWithPython } from './fixtures/shards-python.js';
import { tempDir } from './fixtures/temp-dir.js';
import { openmojiShards } from './fixtures/train-shards.js';
import { tinyModelArgs } from './fixtures/train-args.js';

const samples = 2037;
const images = ['dog', 'cat', 'car', 'tree'] as const;
const tinyModel = tinyModelArgs('8,16', 16, '--shuffle-buffer', '64', '--steps', '2');

let dir: string;
let fixture: Awaited<ReturnType<typeof makeShardsFixture>>;
let out: string;
let built: ReturnType<typeof runWit>;

const buildArgs = (outDir: string, ...flags: string[]) => [
  'shards',
  'build',
  '--db',
  fixture.dbPath,
  '--images',
  fixture.imagesDir,
  '--out',
  outDir,
  '--captions-per-image',
  String(samples),
  '--val-fraction',
  '0',
  ...flags,
];

const sizesOf = (folder: string) => JSON.parse(readFileSync(join(folder, 'sizes.json'), 'utf8')) as Record<string, number>;

beforeAll(async () => {
  dir = tempDir('wit-shards-handoff-');
  const hexcodes = { dog: emoji[1], cat: emoji[2], car: emoji[3], tree: emoji[6] };
  const fixtureImages = Object.fromEntries(
    await Promise.all(
      images.map(
        async (name) =>
          [name, { bytes: await rasterEmoji(hexcodes[name], 96 + images.indexOf(name) * 8), url: `http://img.test/${name}.png` }] as const,
      ),
    ),
  );
  const pairs = Array.from({ length: samples }, (_, i) => ({
    image: images[i % images.length]!,
    text: `a ${images[i % images.length]} photo number ${i}`,
    query: images[i % images.length]!,
  }));
  fixture = await makeShardsFixture(dir, fixtureImages, pairs);
  const db = new Database(fixture.dbPath);
  db.exec("UPDATE pairs SET extra = json_object('license', 'cc-by-4.0', 'rank', id) WHERE id % 3 = 0");
  db.close();
  out = join(dir, 'shards');
  built = runWit(buildArgs(out, '--min-shards', '16'));
  if (built.status !== 0) throw new Error(`wit shards build failed (${built.status}): ${built.stderr}`);
}, 180_000);

describe('shards that open_clip and img2dataset users take as they are', () => {
  it('spreads 2,037 samples evenly over --min-shards 16 shards, and prints the open_clip command', () => {
    const counts = Object.values(sizesOf(out));
    expect(counts).toHaveLength(16);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(samples);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.splits.train).toEqual({ samples, shards: 16, pattern: 'train-{000000..000015}.tar' });
    expect(built.stdout).toContain(
      `python -m open_clip_train.main --dataset-type webdataset --train-data '${out}/train-{000000..000015}.tar' --train-num-samples ${samples}`,
    );
  });

  it("gives each of open_clip's 4 loader workers (shards[w::4], as webdataset splits them) the same samples, up to one per shard, each sample once", async () => {
    const names = Object.keys(sizesOf(out)).sort();
    const perWorker = [0, 1, 2, 3].map((w) => names.filter((_, i) => i % 4 === w).reduce((sum, name) => sum + sizesOf(out)[name]!, 0));
    expect(Math.max(...perWorker) - Math.min(...perWorker)).toBeLessThanOrEqual(names.length / 4);
    const keys = new Set<string>();
    for (const name of names) for await (const sample of readShardSamples(join(out, name))) keys.add(sample.key);
    expect(keys.size).toBe(samples);
  });

  it('a smaller --shard-size gives more shards, still even', async () => {
    const db = openDb(fixture.dbPath);
    try {
      const result = await buildShards(db, {
        imagesDir: fixture.imagesDir,
        outDir: join(dir, 'small'),
        captionsPerImage: samples,
        valFraction: 0,
        shardSize: 100,
      });
      const counts = result.shards.map((shard) => shard.samples);
      expect(counts).toHaveLength(21);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      expect(Math.max(...counts)).toBeLessThanOrEqual(100);
    } finally {
      db.close();
    }
  });

  it('writes <shard>.parquet that hyparquet reads back as exactly the samples of the tar, key by key, with the saved list columns', async () => {
    const tars = readdirSync(out)
      .filter((name) => name.endsWith('.tar'))
      .sort();
    const report = readShardsWithPython(tars.map((name) => join(out, name)));
    let withExtra = 0;
    for (const name of tars) {
      const tar = report[join(out, name)]!;
      const stem = name.replace(/\.tar$/, '');
      const bytes = readFileSync(join(out, `${stem}.parquet`));
      const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) });
      expect(rows.map((row) => row.key)).toEqual(Object.keys(tar.json));
      for (const row of rows) {
        const json = tar.json[row.key as string]!;
        for (const column of Object.keys(row)) expect([row.key, column, row[column]]).toEqual([row.key, column, json[column] ?? null]);
        for (const field of Object.keys(json)) expect(Object.keys(row)).toContain(field);
        expect(json.caption).toBe(tar.txt[row.key as string]);
        if (row.license === 'cc-by-4.0') withExtra += 1;
      }
      const stats = JSON.parse(readFileSync(join(out, `${stem}_stats.json`), 'utf8'));
      expect(stats).toMatchObject({ count: rows.length, successes: rows.length, failures: {}, status_dict: { success: rows.length } });
    }
    expect(withExtra).toBe(Math.floor(samples / 3));
    const first = Object.values(report[join(out, tars[0]!)]!.json)[0]!;
    expect(first).toMatchObject({ status: 'success', error_message: null, original_width: expect.any(Number), width: expect.any(Number) });
    expect(Object.keys(first).slice(0, 11)).toEqual([
      'key',
      'url',
      'caption',
      'status',
      'error_message',
      'width',
      'height',
      'original_width',
      'original_height',
      'sha256',
      'query',
    ]);
  });

  it('refuses --languages xx before touching anything: the shards folder stays byte-identical', () => {
    const before = folderSnapshot(out);
    const result = runWit(buildArgs(out, '--languages', 'xx'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--languages xx is not a language the detector (eld) knows');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(folderSnapshot(out)).toEqual(before);
  });
});

describe('wit train on shard folders', () => {
  it('refuses a folder with a .tar.partial, or whose tars disagree with sizes.json, naming the file', () => {
    const partial = join(dir, 'with-partial');
    cpSync(out, partial, { recursive: true });
    writeFileSync(join(partial, 'train-000016.tar.partial'), Buffer.alloc(1024));
    const refused = runWit(['train', '--shards', partial, '--out', join(dir, 'run-partial'), ...tinyModel]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^wit: the shard folder .*with-partial holds train-000016\.tar\.partial, a shard still being written/);
    expect(existsSync(join(dir, 'run-partial', 'config.json'))).toBe(false);

    const emptied = join(dir, 'with-empty-tar');
    cpSync(out, emptied, { recursive: true });
    writeFileSync(join(emptied, 'train-000003.tar'), Buffer.alloc(0));
    const mismatch = runWit(['train', '--shards', emptied, '--out', join(dir, 'run-empty'), ...tinyModel]);
    expect(mismatch.status).toBe(1);
    expect(mismatch.stderr).toMatch(/^wit: shard .*train-000003\.tar holds 0 samples but sizes\.json says 12[78]/m);

    const missing = join(dir, 'with-missing-tar');
    cpSync(out, missing, { recursive: true });
    rmSync(join(missing, 'train-000005.tar'));
    const absent = runWit(['train', '--shards', missing, '--out', join(dir, 'run-missing'), ...tinyModel]);
    expect(absent.status).toBe(1);
    expect(absent.stderr).toContain('sizes.json lists train-000005.tar, which is not there');
    expect(absent.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('trains on an img2dataset-shaped folder: 00000.tar with keys 000000005, .jpg/.txt/.json, .parquet and _stats.json beside, no sizes.json', async () => {
    const source = await openmojiShards({ trainCount: 300, valCount: 64, shardSize: 100, pixels: 24 });
    const folder = join(dir, 'img2dataset');
    mkdirSync(folder);
    let shard = 0;
    for (const name of ['train-000000.tar', 'train-000001.tar']) {
      const rows: Record<string, unknown>[] = [];
      const tar = pack();
      const written = new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
        tar.on('end', () => resolve(Buffer.concat(chunks)));
        tar.on('error', reject);
      });
      let index = 0;
      for await (const sample of readShardSamples(join(source, name))) {
        const key = `${String(shard).padStart(5, '0')}${String(index++).padStart(4, '0')}`;
        const json = {
          url: `http://img.test/${key}.jpg`,
          caption: sample.txt,
          key,
          status: 'success',
          error_message: null,
          width: 24,
          height: 24,
          original_width: 24,
          original_height: 24,
          sha256: null,
        };
        tar.entry({ name: `${key}.jpg` }, sample.jpg);
        tar.entry({ name: `${key}.txt` }, sample.txt);
        tar.entry({ name: `${key}.json` }, JSON.stringify(json));
        rows.push(json);
      }
      tar.finalize();
      const stem = String(shard).padStart(5, '0');
      writeFileSync(join(folder, `${stem}.tar`), await written);
      writeShardMetadata(folder, `${stem}.tar`, rows, {
        count: rows.length,
        successes: rows.length,
        failed_to_download: 0,
        failed_to_resize: 0,
        failures: {},
        duration: 1,
        start_time: 0,
        end_time: 1,
        status_dict: {},
        config: {},
      });
      shard += 1;
    }
    expect(readdirSync(folder).sort()).toEqual([
      '00000.parquet',
      '00000.tar',
      '00000_stats.json',
      '00001.parquet',
      '00001.tar',
      '00001_stats.json',
    ]);
    const result = runWit(['train', '--shards', folder, '--out', join(dir, 'run-img2dataset'), ...tinyModel]);
    expect([result.status, result.stderr]).toEqual([0, expect.any(String)]);
    const config = JSON.parse(readFileSync(join(dir, 'run-img2dataset', 'config.json'), 'utf8'));
    expect(config.data.trainShards.map((s: { name: string }) => s.name)).toEqual(['00000.tar', '00001.tar']);
    expect(config.data.trainShards.reduce((sum: number, s: { samples: number }) => sum + s.samples, 0)).toBe(200);
  }, 180_000);
});

describe('wit shards build on a full disk', () => {
  it('exits 1 naming --out when the disk fills, keeps the previous shards, and the same command completes once there is space', () => {
    const mountPoint = join(dir, 'tmpfs');
    mkdirSync(mountPoint);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      console.warn(
        `SKIPPED (loudly): cannot mount a tmpfs to fill (${mounted.stderr.trim() || mounted.error?.message}); run the suite as root to test a full disk`,
      );
      return;
    }
    try {
      const target = join(mountPoint, 'shards');
      expect(runWit(buildArgs(target)).status).toBe(0);
      const good = folderSnapshot(target);
      const used = Number(spawnSync('du', ['-sk', mountPoint], { encoding: 'utf8' }).stdout.split('\t')[0]);
      // Room for the old build and about half of a new one.
      expect(spawnSync('mount', ['-o', `remount,size=${Math.ceil(used * 1.5)}k`, mountPoint]).status).toBe(0);
      const full = runWit(buildArgs(target, '--seed', '5'));
      expect(full.status).toBe(1);
      expect(full.stderr).toMatch(
        /^wit: no space left on the disk of --out .*tmpfs\/shards \(ENOSPC\) while writing the shards: free space and run the same command/m,
      );
      expect(full.stderr).not.toMatch(/\n\s+at /);
      expect(folderSnapshot(target)).toEqual(good);
      expect(existsSync(`${target}.partial`)).toBe(false);

      expect(spawnSync('mount', ['-o', 'remount,size=64m', mountPoint]).status).toBe(0);
      const rerun = runWit(buildArgs(target, '--seed', '5'));
      expect(rerun.status).toBe(0);
      expect(Object.values(sizesOf(target)).reduce((a, b) => a + b, 0)).toBe(samples);
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  }, 180_000);
});
