import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { ShardWriter } from '../webdataset/index.js';
import { ReasonCounter, WitError } from '../core/index.js';
import { DecodedCache } from '../train/decoded-cache.js';
import { clipMean, clipStd, decodeResized, loadImageForEval } from '../train/image-decode.js';
import { randomResizedCrop } from '../train/random-resized-crop.js';
import { trainBatches, type LoadedBatch, type TrainLoaderOptions } from '../train/data-loader.js';
import { learningRateAt } from '../train/lr-schedule.js';
import { prefetch } from '../train/prefetch.js';
import { SeededRandom } from '../train/random.js';
import { countSamples, listShards, readShardCaptions, readShardSamples } from '../webdataset/index.js';
import { shuffleBuffered } from '../train/shuffle-buffer.js';
import { readTarEntries, TarFormatError } from '../webdataset/tar-reader.js';
import { buildVocabulary, Vocabulary } from '../train/vocabulary.js';
import { encodeTexts } from '../train/text-batch.js';
import { openmojiShards } from './fixtures/train-shards.js';
import { runWit } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const shardOptions = { trainCount: 300, valCount: 64, shardSize: 100, pixels: 24 };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('tar reader', () => {
  const dir = tempDir('wit-train-tar-');

  test('reads GNU tar output with long (pax/GNU) names, in any chunking', async () => {
    const src = join(dir, 'src');
    const longName = `${'d'.repeat(60)}/${'n'.repeat(80)}.txt`;
    mkdirSync(join(src, 'd'.repeat(60)), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'alpha');
    writeFileSync(join(src, longName), 'x'.repeat(1000));
    writeFileSync(join(src, 'empty.json'), '');
    for (const format of ['gnu', 'pax']) {
      const tar = join(dir, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-cf', tar, '-C', src, 'a.txt', longName, 'empty.json']);
      const bytes = readFileSync(tar);
      for (const chunkSize of [7, 512, 65536]) {
        const entries = await collect(readTarEntries(chunked(bytes, chunkSize)));
        expect(entries.map((e) => [e.name, e.body?.toString()])).toEqual([
          ['a.txt', 'alpha'],
          [longName, 'x'.repeat(1000)],
          ['empty.json', ''],
        ]);
      }
    }
  });

  test('skips unwanted bodies, and rejects garbage and truncation', async () => {
    const tar = join(dir, 'gnu.tar');
    const entries = await collect(readTarEntries(createReadStream(tar), (name) => name === 'a.txt'));
    expect(entries.map((e) => e.body === null)).toEqual([false, true, true]);
    await expect(collect(readTarEntries(chunked(Buffer.alloc(2048, 65), 100)))).rejects.toThrow(TarFormatError);
    await expect(collect(readTarEntries(chunked(readFileSync(tar).subarray(0, 900), 100)))).rejects.toThrow(/truncated/);
  });
});

describe('shard reader', () => {
  test('lists shards with their sizes and streams grouped samples', async () => {
    const dir = await openmojiShards(shardOptions);
    const train = await listShards(dir, 'train');
    expect(train.map((s) => [s.name, s.count])).toEqual([
      ['train-000000.tar', 100],
      ['train-000001.tar', 100],
      ['train-000002.tar', 100],
    ]);
    expect(await countSamples(train)).toBe(300);
    expect(await countSamples(train.map((s) => ({ ...s, count: undefined })))).toBe(300);
    const samples = await collect(readShardSamples(train[0]!.path));
    expect(samples).toHaveLength(100);
    expect(samples[0]!.key).toBe('000000000000');
    expect(samples[0]!.json.key).toBe('000000000000');
    expect((await sharp(samples[0]!.jpg).metadata()).width).toBe(24);
    const captions = await collect(readShardCaptions(train[1]!.path));
    expect(captions.map((c) => c.key)[99]).toBe('000001000099');
    expect(captions[0]!.txt.length).toBeGreaterThan(2);
  });

  test('a missing or empty folder, and an unreadable shard, are WitErrors naming the path', async () => {
    const dir = tempDir('wit-train-badshards-');
    await expect(listShards(join(dir, 'nope'), 'train')).rejects.toThrow(/cannot read the shard folder .*nope/);
    await expect(listShards(dir, 'train')).rejects.toThrow(/holds no train shards/);
    writeFileSync(join(dir, 'train-000000.tar'), Buffer.alloc(4096, 7));
    const [shard] = await listShards(dir, 'train');
    const failure = collect(readShardSamples(shard!.path));
    await expect(failure).rejects.toThrow(WitError);
    await expect(failure).rejects.toThrow(/cannot read shard .*train-000000\.tar: .*Re-create the shards/);
  });
});

describe('vocabulary', () => {
  test('keeps the most frequent words, ties alphabetical; --min-word-count leaves rare ones out', async () => {
    const captions = ['Red apple', 'red car', 'a RED apple', 'blue car', 'zebra'];
    const { vocab, wordsCutByMaxWords, wordsBelowMinCount } = await buildVocabulary(captions, { maxWords: 3, minCount: 2 });
    expect(vocab.words).toEqual(['red', 'apple', 'car']);
    expect(vocab.counts).toEqual([3, 2, 2]);
    expect([wordsCutByMaxWords, wordsBelowMinCount]).toEqual([0, 3]);
    expect([...vocab.encode('A red, red zebra car!')]).toEqual([0, 0, 2]);
    expect(encodeTexts(vocab, ['red apple', 'blue', 'car'])).toEqual({
      tokenIds: Int32Array.from([0, 1, 2]),
      offsets: Int32Array.from([0, 2, 2, 3]),
    });
    const everyWord = await buildVocabulary(captions, { maxWords: 5 });
    expect(everyWord.vocab.words).toEqual(['red', 'apple', 'car', 'a', 'blue']);
    expect([everyWord.wordsCutByMaxWords, everyWord.wordsBelowMinCount]).toEqual([1, 0]);
    expect((await buildVocabulary(captions)).vocab.encode('zebra').length).toBe(1);
  });

  test('round-trips through vocab.json with its fingerprint', async () => {
    const dir = tempDir('wit-train-vocab-');
    const vocab = new Vocabulary(['cat', 'dog'], [5, 3]);
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
    const loaded = await Vocabulary.load(join(dir, 'vocab.json'));
    expect(loaded.words).toEqual(['cat', 'dog']);
    expect(loaded.fingerprint()).toBe(vocab.fingerprint());
    expect(new Vocabulary(['dog', 'cat']).fingerprint()).not.toBe(vocab.fingerprint());
    writeFileSync(join(dir, 'bad.json'), '{"words": 3}');
    await expect(Vocabulary.load(join(dir, 'bad.json'))).rejects.toThrow(/is not a wit vocabulary/);
  });
});

describe('wit train, vocabulary', () => {
  test('a caption whose words are all seen once is trained on; --min-word-count 2 leaves it out and the summary counts it', async () => {
    const dir = tempDir('wit-train-rare-');
    const source = await listShards(await openmojiShards(shardOptions), 'train');
    mkdirSync(join(dir, 'shards'));
    const writer = new ShardWriter({ outDir: join(dir, 'shards'), split: 'train' });
    let rareKey = '';
    for await (const sample of readShardSamples(source[0]!.path)) {
      if (!rareKey) rareKey = writer.add({ jpg: sample.jpg, txt: 'axolotl quokka', json: {} }).key;
      writer.add({ jpg: sample.jpg, txt: sample.txt, json: {} });
    }
    writer.finish();
    const model = [
      '--backend',
      'wasm',
      '--workers',
      '1',
      '--image-size',
      '16',
      '--embed-dim',
      '8',
      '--conv-channels',
      '4',
      '--batch',
      '16',
      '--steps',
      '1',
    ];
    const runs = [[], ['--min-word-count', '2']].map((extra, i) => {
      const out = join(dir, `run${i}`);
      const result = runWit(['train', '--shards', join(dir, 'shards'), '--out', out, ...model, ...extra]);
      expect(result.status, result.stderr).toBe(0);
      const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as {
        train: { lr: number; shuffleBufferSize: number };
        runtime: { saveEverySteps: number };
        data: { noKnownWordSamples: number; trainSamples: number };
      };
      return { out, stderr: result.stderr, config };
    });
    const [everyWord, twice] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(everyWord.config.data.noKnownWordSamples).toBe(0);
    // The options as resolved: the defaults of what was not typed are recorded too.
    expect(everyWord.config.train).toMatchObject({ lr: 5e-4, shuffleBufferSize: 2000 });
    expect(everyWord.config.runtime.saveEverySteps).toBe(500);
    expect(everyWord.stderr).toMatch(/vocabulary: [\d,]+ words from 101 train captions; 0 captions have no known word/);
    expect(twice.config.data.noKnownWordSamples).toBeGreaterThanOrEqual(1);
    expect(twice.stderr).toMatch(
      new RegExp(`words under --min-word-count\\); ${twice.config.data.noKnownWordSamples} captions have no known word and are left out`),
    );
    expect(twice.config.data.trainSamples).toBe(101 - twice.config.data.noKnownWordSamples);

    const epochKeys = async (out: string) => {
      const vocab = await Vocabulary.load(join(out, 'vocab.json'));
      const keys: string[] = [];
      const shards = await listShards(join(dir, 'shards'), 'train');
      for await (const batch of trainBatches({
        shards,
        vocab,
        imageSize: 8,
        batchSize: 1,
        seed: 0,
        start: { epoch: 0, samplesDrawn: 0 },
        reasons: new ReasonCounter(),
      })) {
        if (batch.after.epoch > 0) break;
        keys.push(...batch.keys);
      }
      return keys;
    };
    expect(await epochKeys(everyWord.out)).toContain(rareKey);
    expect(await epochKeys(twice.out)).not.toContain(rareKey);
  }, 60_000);
});

describe('schedule, shuffle, prefetch', () => {
  test('linear warmup then cosine to zero', () => {
    const options = { peakLr: 1e-3, warmupSteps: 10, totalSteps: 110 };
    expect(learningRateAt(0, options)).toBeCloseTo(1e-4);
    expect(learningRateAt(9, options)).toBeCloseTo(1e-3);
    expect(learningRateAt(60, options)).toBeCloseTo(5e-4);
    expect(learningRateAt(109, options)).toBeLessThan(1e-6);
    for (let step = 10; step < 109; step++) expect(learningRateAt(step + 1, options)).toBeLessThan(learningRateAt(step, options));
  });

  test('the shuffle buffer permutes, mixes far items early, and repeats with its seed', async () => {
    const items = Array.from({ length: 200 }, (_, i) => i);
    const run = (seed: number) =>
      collect(
        shuffleBuffered(
          (async function* () {
            yield* items;
          })(),
          50,
          new SeededRandom(seed),
        ),
      );
    const first = await run(1);
    expect([...first].sort((a, b) => a - b)).toEqual(items);
    expect(first).toEqual(await run(1));
    expect(first).not.toEqual(await run(2));
    expect(Math.max(...first.slice(0, 60))).toBeGreaterThan(50);
  });

  test('prefetch keeps order, runs ahead of the consumer, and passes errors on', async () => {
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 10; i++) {
        produced++;
        yield i;
      }
      throw new Error('boom');
    }
    const seen: number[] = [];
    const iterator = prefetch(source(), 3);
    const first = await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(first.value).toBe(0);
    expect(produced).toBeGreaterThanOrEqual(3);
    seen.push(first.value as number);
    await expect(
      (async () => {
        for await (const value of iterator) seen.push(value);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('images', () => {
  test('scales the shorter side, crops a square (random resized or centre), normalises with the CLIP mean/std', async () => {
    // 40x20: left half black, right half white.
    const raw = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 20; x < 40; x++) raw.fill(255, (y * 40 + x) * 3, (y * 40 + x) * 3 + 3);
    const png = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
      .png()
      .toBuffer();
    const centre = await loadImageForEval(png, 10);
    const white = (1 - clipMean[0]) / clipStd[0];
    const black = -clipMean[0] / clipStd[0];
    expect(centre[0]).toBeCloseTo(black, 1); // column 5 of 20
    expect(centre[9 * 3]).toBeCloseTo(white, 1); // column 14 of 20
    const resized = await decodeResized(png, 10);
    const firstRed = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      const out = new Float32Array(300);
      randomResizedCrop(resized, 10, new SeededRandom(seed), out);
      firstRed.add(Math.round(out[0]! * 10));
    }
    expect(firstRed.size).toBeGreaterThan(1); // different crops
    await expect(loadImageForEval(Buffer.from('not an image'), 10)).rejects.toThrow(/cannot decode an image of 12 bytes/);
  });
});

describe('train loader', () => {
  async function loaderOptions(start = { epoch: 0, samplesDrawn: 0 }, seed = 7): Promise<TrainLoaderOptions> {
    const dir = await openmojiShards(shardOptions);
    const shards = await listShards(dir, 'train');
    const captions: string[] = [];
    for (const shard of shards) for await (const c of readShardCaptions(shard.path)) captions.push(c.txt);
    return {
      shards,
      vocab: (await buildVocabulary(captions)).vocab,
      imageSize: 16,
      batchSize: 32,
      seed,
      start,
      shuffleBufferSize: 64,
      reasons: new ReasonCounter(),
    };
  }

  async function take(options: TrainLoaderOptions, n: number): Promise<LoadedBatch[]> {
    const out: LoadedBatch[] = [];
    for await (const batch of trainBatches(options)) {
      out.push(batch);
      if (out.length === n) break;
    }
    return out;
  }

  test('batches have the engine shapes; an epoch sees each usable pair once; epochs differ', async () => {
    const options = await loaderOptions();
    const batches = await take(options, 18);
    for (const batch of batches) {
      expect(batch.size).toBe(32);
      expect(batch.images.length).toBe(32 * 16 * 16 * 3);
      expect(batch.offsets.length).toBe(33);
      expect(batch.offsets[32]).toBe(batch.tokenIds.length);
    }
    let usable = 0;
    for (const shard of options.shards)
      for await (const c of readShardCaptions(shard.path)) if (options.vocab.encode(c.txt).length > 0) usable++;
    const perEpoch = Math.floor(usable / 32);
    const epoch0 = batches.slice(0, perEpoch).flatMap((b) => b.keys);
    expect(new Set(epoch0).size).toBe(epoch0.length);
    expect(batches[perEpoch - 1]!.after.epoch).toBe(0);
    expect(batches[perEpoch]!.after.epoch).toBe(1);
    expect(batches[perEpoch]!.keys).not.toEqual(batches[0]!.keys);
    const mixed = batches.slice(0, perEpoch).filter((b) => new Set(b.keys.map((key) => key.slice(0, 6))).size > 1);
    expect(mixed.length).toBeGreaterThan(1); // the shuffle buffer mixes shards
  });

  test('the same seed gives the same batches; resuming from a position continues exactly', async () => {
    const batches = await take(await loaderOptions(), 12);
    const again = await take(await loaderOptions(), 12);
    expect(again.map((b) => b.keys)).toEqual(batches.map((b) => b.keys));
    const resumed = await take(await loaderOptions(batches[10]!.after), 1);
    expect(resumed[0]!.keys).toEqual(batches[11]!.keys);
    expect(resumed[0]!.images).toEqual(batches[11]!.images);
    expect(resumed[0]!.tokenIds).toEqual(batches[11]!.tokenIds);
    const otherSeed = await take(await loaderOptions(undefined, 8), 1);
    expect(otherSeed[0]!.keys).not.toEqual(batches[0]!.keys);
  });

  test('the decoded cache gives the batches of decoding each time, bit-equal, from memory or from its file; a damaged file is rebuilt', async () => {
    const options = await loaderOptions();
    const dir = tempDir('wit-train-cache-');
    const path = join(dir, 'decoded.bin');
    const messages: string[] = [];
    const open = (maxMemoryBytes: number) =>
      DecodedCache.open(path, { imageSize: options.imageSize, shards: options.shards, maxMemoryBytes, log: (m) => messages.push(m) });
    const inMemory = await open(1 << 30);
    expect(inMemory.inMemory).toBe(true);
    expect(inMemory.summary).toEqual({ perShard: [100, 100, 100], kept: 300, leftOut: {} });
    const fromFile = await open(0);
    expect(fromFile.inMemory).toBe(false);
    expect(messages.filter((m) => m.includes('images decoded'))).toHaveLength(1); // built once, then trusted
    const decoded = await take(options, 12);
    for (const cache of [inMemory, fromFile]) {
      const cached = await take({ ...options, cache, reasons: new ReasonCounter() }, 12);
      expect(cached.map((b) => b.keys)).toEqual(decoded.map((b) => b.keys));
      for (let i = 0; i < 12; i++) {
        expect(Buffer.from(cached[i]!.images.buffer).equals(Buffer.from(decoded[i]!.images.buffer))).toBe(true);
        expect(cached[i]!.tokenIds).toEqual(decoded[i]!.tokenIds);
      }
    }
    const good = readFileSync(path);
    const damaged = Buffer.from(good);
    damaged[Math.floor(good.length / 2)]! ^= 0xff;
    writeFileSync(path, damaged);
    const rebuilt = await open(1 << 30);
    expect(messages.at(-3)).toMatch(/decoded\.bin is damaged \(bad checksum at byte \d+\): rebuilding it/);
    expect(readFileSync(path).equals(good)).toBe(true);
    const again = await take({ ...options, cache: rebuilt, reasons: new ReasonCounter() }, 2);
    expect(Buffer.from(again[1]!.images.buffer).equals(Buffer.from(decoded[1]!.images.buffer))).toBe(true);
    writeFileSync(path, good.subarray(0, good.length - 100)); // a build killed before its end record
    await open(0);
    expect(messages.at(-3)).toMatch(/is cut inside a record .*: rebuilding it/);
    expect(readFileSync(path).equals(good)).toBe(true);
    await expect(
      DecodedCache.open(path, { imageSize: 8, shards: options.shards, maxMemoryBytes: 0, log: (m) => messages.push(m) }),
    ).resolves.toBeDefined();
    expect(messages.at(-3)).toMatch(/was built for other shards or another image size: rebuilding it/);
  }, 60_000);

  test('an undecodable image is counted and replaced', async () => {
    const dir = tempDir('wit-train-badjpg-');
    const options = await loaderOptions();
    const writer = new ShardWriter({ outDir: dir, split: 'train' });
    let broken: string | undefined;
    for await (const sample of readShardSamples(options.shards[0]!.path)) {
      const usable = options.vocab.encode(sample.txt).length > 0;
      const jpg = usable && !broken ? Buffer.from('not a jpeg at all') : sample.jpg;
      const { key } = writer.add({ jpg, txt: sample.txt, json: {} });
      if (jpg !== sample.jpg) broken = key;
    }
    writer.finish();
    const batches = await take({ ...options, shards: await listShards(dir, 'train'), prefetchBatches: 1 }, 2);
    expect(batches[1]!.size).toBe(32);
    expect(options.reasons.toJSON().image_decode_failed).toBeGreaterThanOrEqual(1);
    expect(batches.flatMap((b) => b.keys)).not.toContain(broken);
  });
});
