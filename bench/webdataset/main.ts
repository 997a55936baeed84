/**
 * The shard format's cost: writing N samples into even shards (our ustar
 * writer, fsync per shard), img2dataset's per-shard parquet + stats
 * (hyparquet-writer), and reading them back grouped by key, wit's reader
 * (tar-stream) against Python's `tarfile` (the reader webdataset builds on),
 * both reading every body. Images are real: openmoji SVGs rasterised by sharp
 * to JPEG, cycled; captions are their annotations. Median of `--rounds`
 * rounds; the load average is printed with every figure.
 *
 *   node dist/bench/webdataset/main.js [--samples 20000] [--rounds 3] [--pixels 64]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { evenShardSizes, readShardSamples, ShardWriter, writeShardMetadata, type WrittenShard } from '../../webdataset/index.js';

const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const samples = flag('samples', 20_000);
const rounds = flag('rounds', 3);
const pixels = flag('pixels', 64);

const pythonReader = `
import sys, tarfile, time
start = time.perf_counter()
samples = 0
for path in sys.argv[1:]:
    with tarfile.open(path, 'r') as tar:
        last = None
        for member in tar:
            data = tar.extractfile(member).read()
            key = member.name.split('/')[-1].split('.', 1)[0]
            if key != last:
                samples += 1
                last = key
print(samples, time.perf_counter() - start)
`;
import { loadText } from '../machine-load.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function openmojiArt(count: number): Promise<Array<{ jpg: Buffer; caption: string }>> {
  const root = dirname(createRequire(import.meta.url).resolve('openmoji/package.json'));
  const entries = (JSON.parse(readFileSync(join(root, 'data', 'openmoji.json'), 'utf8')) as Array<{ hexcode: string; annotation: string }>)
    .filter((entry) => entry.annotation && !entry.hexcode.includes('-'))
    .slice(0, count);
  return Promise.all(
    entries.map(async (entry) => ({
      jpg: await sharp(join(root, 'color', 'svg', `${entry.hexcode}.svg`), { density: 72 })
        .resize(pixels, pixels)
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 90 })
        .toBuffer(),
      caption: entry.annotation,
    })),
  );
}

function writeShards(
  dir: string,
  art: ReadonlyArray<{ jpg: Buffer; caption: string }>,
): { shards: WrittenShard[]; tarSecs: number; metadataSecs: number } {
  const startedAt = performance.now();
  const writer = new ShardWriter({ outDir: dir, split: 'train', sizes: evenShardSizes(samples, 10_000, 16) });
  const rows = new Map<string, Record<string, unknown>[]>();
  for (let i = 0; i < samples; i++) {
    const { jpg, caption } = art[i % art.length]!;
    const json = {
      url: `http://img.test/${i}.jpg`,
      caption,
      status: 'success',
      error_message: null,
      width: pixels,
      height: pixels,
      sha256: null,
      query: caption.split(' ')[0],
    };
    const at = writer.add({ jpg, txt: caption, json });
    const list = rows.get(at.shard) ?? [];
    list.push({ key: at.key, ...json });
    rows.set(at.shard, list);
  }
  const shards = writer.finish();
  const tarSecs = (performance.now() - startedAt) / 1000;
  const metadataStart = performance.now();
  for (const shard of shards) {
    const records = rows.get(shard.name)!;
    writeShardMetadata(dir, shard.name, records, {
      count: records.length,
      successes: records.length,
      failed_to_download: 0,
      failed_to_resize: 0,
      failures: {},
      duration: 0,
      start_time: 0,
      end_time: 0,
      status_dict: {},
      config: {},
    });
  }
  return { shards, tarSecs, metadataSecs: (performance.now() - metadataStart) / 1000 };
}

async function readWithWit(paths: readonly string[]): Promise<{ samples: number; secs: number }> {
  const startedAt = performance.now();
  let count = 0;
  for (const path of paths) for await (const _ of readShardSamples(path)) count++;
  return { samples: count, secs: (performance.now() - startedAt) / 1000 };
}

function readWithPython(paths: readonly string[]): { samples: number; secs: number } | undefined {
  const run = spawnSync('python3', ['-c', pythonReader, ...paths], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  const [count, secs] = run.stdout.trim().split(' ').map(Number);
  return { samples: count!, secs: secs! };
}

const dir = mkdtempSync(join(tmpdir(), 'wit-bench-webdataset-'));
try {
  console.log(
    `webdataset bench: ${samples.toLocaleString('en-US')} samples of ${pixels}px openmoji JPEGs, ${rounds} rounds · load ${loadText()}`,
  );
  const art = await openmojiArt(256);
  const writes: number[] = [];
  const metadata: number[] = [];
  const wit: number[] = [];
  const python: number[] = [];
  let bytes = 0;
  for (let round = 0; round < rounds; round++) {
    const shardDir = mkdtempSync(join(dir, 'round-'));
    const written = writeShards(shardDir, art);
    const paths = written.shards.map((shard) => join(shardDir, shard.name));
    bytes = paths.reduce((sum, path) => sum + statSync(path).size, 0);
    writes.push(samples / written.tarSecs);
    metadata.push(samples / written.metadataSecs);
    const ours = await readWithWit(paths);
    if (ours.samples !== samples) throw new Error(`wit read ${ours.samples} samples, wrote ${samples}`);
    wit.push(samples / ours.secs);
    const peer = readWithPython(paths);
    if (peer && peer.samples !== samples) throw new Error(`python tarfile read ${peer.samples} samples, wrote ${samples}`);
    if (peer) python.push(samples / peer.secs);
    rmSync(shardDir, { recursive: true, force: true });
    console.log(
      `round ${round + 1}: write ${Math.round(samples / written.tarSecs)} samples/s, parquet+stats ${Math.round(samples / written.metadataSecs)} rows/s, read wit ${Math.round(samples / ours.secs)} samples/s, python tarfile ${peer ? Math.round(samples / peer.secs) : 'n/a'} samples/s · load ${loadText()}`,
    );
  }
  const mb = bytes / 2 ** 20;
  console.log(
    `median: write ${Math.round(median(writes))} samples/s (${((mb * median(writes)) / samples).toFixed(1)} MiB/s), parquet+stats ${Math.round(median(metadata))} rows/s`,
  );
  console.log(
    `median: read wit (tar-stream) ${Math.round(median(wit))} samples/s (${((mb * median(wit)) / samples).toFixed(1)} MiB/s)` +
      (python.length > 0
        ? `, python tarfile ${Math.round(median(python))} samples/s: wit/python ${(median(wit) / median(python)).toFixed(2)}x`
        : ', python3 not found: no peer figure'),
  );
  console.log(`load ${loadText()} (1/5/15 min)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
