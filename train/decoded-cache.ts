import { createReadStream } from 'node:fs';
import { open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { ReasonCounter, WitError } from '../core/index.js';
import { decodeResized, type ResizedImage } from './image-decode.js';
import { checkShardCount, readShardSamples, type ShardFile, type ShardSample } from '../webdataset/index.js';

/** A train sample as the cache keeps it: its caption and its image decoded at the training size. */
export interface CachedSample {
  key: string;
  txt: string;
  image: ResizedImage;
}

/** What the cache's build saw, kept in its last record. */
export interface CacheSummary {
  /** Samples (image and caption) read from each shard, in shard order. */
  perShard: number[];
  /** Samples kept: their image decoded. */
  kept: number;
  /** Samples left out, by reason (`image_decode_failed`, `missing_jpg`, ...). */
  leftOut: Record<string, number>;
}

export interface DecodedCacheOptions {
  imageSize: number;
  /** The train shards, in name order. */
  shards: readonly ShardFile[];
  /** A cache file up to this size is held in memory; a larger one is read from disk each epoch. */
  maxMemoryBytes: number;
  log: (message: string) => void;
  signal?: AbortSignal;
}

/** The file is not a whole cache of these shards at this size; it is rebuilt. */
class CacheDamage extends Error {}

const format = 'wit-decoded-1';
const sampleTag = 1;
const decodeConcurrency = 32;

/**
 * The train images decoded once at the training size (shorter side =
 * `imageSize`, 8-bit), with their captions, in one file of the run folder.
 * Crops and augmentation are cut from these pixels every epoch, so decoding
 * never competes with the engine after the cache is built. Each record
 * carries a CRC-32; a file that is damaged, incomplete (a build that was
 * killed) or built for other shards is rebuilt, never trusted.
 */
export class DecodedCache {
  private constructor(
    readonly path: string,
    readonly summary: CacheSummary,
    private readonly shardIndex: Map<string, number>,
    private readonly source: MemorySamples | FileRanges,
  ) {}

  /** Opens the cache at `path`, building it (again) first when it is missing or cannot be trusted. */
  static async open(path: string, options: DecodedCacheOptions): Promise<DecodedCache> {
    try {
      return await DecodedCache.load(path, options);
    } catch (error) {
      if (error instanceof CacheDamage) options.log(`decoded cache: ${path} ${error.message}: rebuilding it`);
      else if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await buildCache(path, options);
    try {
      return await DecodedCache.load(path, options);
    } catch (error) {
      throw new WitError(
        `the decoded cache ${path} just built does not read back (${(error as Error).message}): check the disk of the run folder.`,
        { cause: error },
      );
    }
  }

  /** Whether the samples are held in memory (else each epoch reads them from the file). */
  get inMemory(): boolean {
    return this.source.kind === 'memory';
  }

  /** The kept samples of one shard, in shard order. */
  async *samples(shardName: string): AsyncGenerator<CachedSample> {
    const index = this.shardIndex.get(shardName);
    if (index === undefined) throw new Error(`${shardName} is not a shard of the decoded cache ${this.path}`);
    if (this.source.kind === 'memory') {
      yield* this.source.perShard[index]!;
      return;
    }
    const range = this.source.perShard[index]!;
    if (range.end <= range.start) return;
    try {
      for await (const { payload } of readBlocks(
        createReadStream(this.path, { start: range.start, end: range.end - 1, highWaterMark: 1 << 20 }),
      )) {
        yield parseSample(payload).sample;
      }
    } catch (error) {
      if (!(error instanceof CacheDamage)) throw error;
      throw new WitError(
        `the decoded cache ${this.path} changed while training (${error.message}): run the same command with --resume; it is rebuilt.`,
        { cause: error },
      );
    }
  }

  private static async load(path: string, options: DecodedCacheOptions): Promise<DecodedCache> {
    const { size } = await stat(path);
    const inMemory = size <= options.maxMemoryBytes;
    const chunks = inMemory ? [await readFile(path)] : createReadStream(path, { highWaterMark: 1 << 20 });
    const names = options.shards.map((shard) => shard.name);
    const memory: CachedSample[][] = names.map(() => []);
    const ranges: Array<{ start: number; end: number }> = names.map(() => ({ start: 0, end: 0 }));
    let header: unknown;
    let summary: (CacheSummary & { samples: number }) | undefined;
    let samples = 0;
    for await (const { payload, offset, end } of readBlocks(chunks)) {
      if (summary) throw new CacheDamage('has records after its end');
      if (header === undefined) {
        header = parseJson(payload);
        const expected = await headerOf(options);
        if (JSON.stringify(header) !== JSON.stringify(expected)) throw new CacheDamage(`was built for other shards or another image size`);
      } else if (payload[0] === sampleTag) {
        const { shard, sample } = parseSample(payload);
        if (shard >= names.length) throw new CacheDamage(`names shard ${shard} of ${names.length}`);
        if (inMemory) memory[shard]!.push(sample);
        else if (ranges[shard]!.end === 0) ranges[shard] = { start: offset, end };
        else ranges[shard]!.end = end;
        samples++;
      } else {
        summary = parseJson(payload) as CacheSummary & { samples: number };
      }
    }
    if (!summary) throw new CacheDamage('is incomplete (its build was stopped)');
    if (summary.samples !== samples) throw new CacheDamage(`holds ${samples} samples where its end record says ${summary.samples}`);
    const shardIndex = new Map(names.map((name, i) => [name, i]));
    const source: MemorySamples | FileRanges = inMemory ? { kind: 'memory', perShard: memory } : { kind: 'file', perShard: ranges };
    return new DecodedCache(path, { perShard: summary.perShard, kept: summary.kept, leftOut: summary.leftOut }, shardIndex, source);
  }
}

interface MemorySamples {
  kind: 'memory';
  perShard: CachedSample[][];
}

interface FileRanges {
  kind: 'file';
  /** Byte range of each shard's records in the file (records of one shard are contiguous). */
  perShard: Array<{ start: number; end: number }>;
}

/** What the cache was built from: a cache of other shards (or a shard rewritten in place) is not this run's. */
async function headerOf(options: DecodedCacheOptions): Promise<unknown> {
  const shards = await Promise.all(options.shards.map(async (shard) => ({ name: shard.name, bytes: (await stat(shard.path)).size })));
  return { format, imageSize: options.imageSize, shards };
}

async function buildCache(path: string, options: DecodedCacheOptions): Promise<void> {
  const startedAt = performance.now();
  options.log(`decoded cache: decoding the train images once at ${options.imageSize} px into ${path}`);
  const partial = `${path}.partial`;
  const file = await open(partial, 'w');
  const reasons = new ReasonCounter();
  const perShard: number[] = [];
  let kept = 0;
  try {
    const out = new BlockWriter(file);
    await out.write(Buffer.from(JSON.stringify(await headerOf(options))));
    for (const [shardIndex, shard] of options.shards.entries()) {
      let read = 0;
      let pending: ShardSample[] = [];
      const flush = async () => {
        const images = await Promise.all(pending.map((sample) => decodeResized(sample.jpg, options.imageSize).catch(() => undefined)));
        for (const [i, image] of images.entries()) {
          if (!image) reasons.add('image_decode_failed');
          else {
            await out.write(encodeSample(shardIndex, { key: pending[i]!.key, txt: pending[i]!.txt, image }));
            kept++;
          }
        }
        pending = [];
      };
      for await (const sample of readShardSamples(shard.path, { reasons })) {
        if (options.signal?.aborted)
          throw new WitError(
            'stopped while decoding the train images, before training began: nothing to resume; run the same command again.',
            { exitCode: 130 },
          );
        read++;
        pending.push(sample);
        if (pending.length === decodeConcurrency) await flush();
      }
      await flush();
      checkShardCount(shard, read);
      perShard.push(read);
    }
    await out.write(Buffer.from(JSON.stringify({ samples: kept, kept, perShard, leftOut: reasons.toJSON() })));
    await out.flush();
    await file.sync();
  } catch (error) {
    if (error instanceof WitError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (!code) throw error;
    throw new WitError(
      `cannot write the decoded cache ${partial} (${code}): free space in the run folder and run the same command again.`,
      { cause: error },
    );
  } finally {
    await file.close();
  }
  await rename(partial, path);
  const leftOut = reasons
    .top(3)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  options.log(
    `decoded cache: ${kept.toLocaleString('en-US')} images decoded in ${((performance.now() - startedAt) / 1000).toFixed(1)} s${leftOut ? ` (left out: ${leftOut})` : ''}`,
  );
}

/** Appends length- and CRC-framed records, buffered. */
class BlockWriter {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly file: FileHandle) {}

  async write(payload: Buffer): Promise<void> {
    const frame = Buffer.alloc(8);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    this.chunks.push(frame, payload);
    this.bytes += 8 + payload.length;
    if (this.bytes >= 1 << 22) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.bytes === 0) return;
    await this.file.write(Buffer.concat(this.chunks, this.bytes));
    this.chunks = [];
    this.bytes = 0;
  }
}

/** The records of a cache byte stream with their byte offsets; a bad CRC or a cut record is `CacheDamage`. */
async function* readBlocks(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
): AsyncGenerator<{ payload: Buffer; offset: number; end: number }> {
  let pending: Buffer = Buffer.alloc(0);
  let pendingOffset = 0;
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 8) {
      const length = pending.readUInt32LE(at);
      if (pending.length - at - 8 < length) break;
      const payload = pending.subarray(at + 8, at + 8 + length);
      if (crc32(payload) !== pending.readUInt32LE(at + 4)) throw new CacheDamage(`is damaged (bad checksum at byte ${pendingOffset + at})`);
      yield { payload, offset: pendingOffset + at, end: pendingOffset + at + 8 + length };
      at += 8 + length;
    }
    pending = pending.subarray(at);
    pendingOffset += at;
  }
  if (pending.length > 0) throw new CacheDamage(`is cut inside a record (byte ${pendingOffset})`);
}

function encodeSample(shard: number, sample: CachedSample): Buffer {
  const key = Buffer.from(sample.key);
  const txt = Buffer.from(sample.txt);
  const { image } = sample;
  const head = Buffer.alloc(1 + 2 + 2 + key.length + 4 + txt.length + 2 + 2 + 1);
  let at = head.writeUInt8(sampleTag, 0);
  at = head.writeUInt16LE(shard, at);
  at = head.writeUInt16LE(key.length, at);
  at += key.copy(head, at);
  at = head.writeUInt32LE(txt.length, at);
  at += txt.copy(head, at);
  at = head.writeUInt16LE(image.width, at);
  at = head.writeUInt16LE(image.height, at);
  head.writeUInt8(image.channels, at);
  return Buffer.concat([head, image.data]);
}

function parseSample(payload: Buffer): { shard: number; sample: CachedSample } {
  let at = 1;
  const shard = payload.readUInt16LE(at);
  const keyLength = payload.readUInt16LE((at += 2));
  const key = payload.toString('utf8', (at += 2), (at += keyLength));
  const txtLength = payload.readUInt32LE(at);
  const txt = payload.toString('utf8', (at += 4), (at += txtLength));
  const width = payload.readUInt16LE(at);
  const height = payload.readUInt16LE((at += 2));
  const channels = payload.readUInt8((at += 2));
  const data = payload.subarray((at += 1));
  if (data.length !== width * height * channels)
    throw new CacheDamage(`holds a record of ${data.length} pixel bytes for ${width}x${height}x${channels}`);
  return { shard, sample: { key, txt, image: { data, width, height, channels } } };
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    throw new CacheDamage('holds a record that is not what it should be');
  }
}
