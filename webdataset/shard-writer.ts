import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { maxShardSamples, partialSuffix, shardFileName, shardKey } from './shard-names.js';
import { tarEnd, tarHeader, tarPadding } from './tar-writer.js';

export interface ShardWriterOptions {
  /** Folder the shards are written to; it must exist. */
  outDir: string;
  /** Split name, the shard file prefix: `train` gives `train-000000.tar`, `train-000001.tar`, ... */
  split: string;
  /**
   * Samples per shard (at most 1,000,000: the key's index part has 6 digits).
   * @default 10000
   */
  shardSize?: number;
  /**
   * Samples in each shard, in order (`evenShardSizes` plans them); shards
   * past the end of the list hold `shardSize`.
   */
  sizes?: readonly number[];
}

/** One sample: the three members WebDataset groups under one key. */
export interface SampleToWrite {
  /** JPEG bytes, written as `<key>.jpg`. */
  jpg: Buffer;
  /** The caption, written UTF-8 as `<key>.txt`. */
  txt: string;
  /** Metadata, written as `<key>.json` with `key` first, then these fields in their own order. */
  json: Record<string, unknown>;
}

/** A finished shard. */
export interface WrittenShard {
  /** File name inside `outDir`, e.g. `train-000000.tar`. */
  name: string;
  split: string;
  samples: number;
  bytes: number;
}

/**
 * Writes WebDataset shards the way img2dataset does, deterministically: each
 * sample is three ustar members `<key>.jpg`, `<key>.json`, `<key>.txt` in that
 * order (key, then extension, sorted), where key = 6-digit shard number +
 * 6-digit index in the shard (`000012000345`), so WebDataset's rule (the key is
 * the basename up to its first dot) groups them. Headers carry a fixed mtime,
 * uid/gid 0 and mode 0644. A shard is written as `<name>.tar.partial`, fsynced,
 * then renamed, so a file ending in `.tar` is always complete.
 *
 * Samples go into shards in the order they are added; give them in a fixed
 * order to get byte-identical shards.
 */
export class ShardWriter {
  private readonly shardSize: number;
  private readonly finished: WrittenShard[] = [];
  private current: { fd: number; name: string; samples: number; bytes: number } | undefined;

  constructor(private readonly options: ShardWriterOptions) {
    this.shardSize = options.shardSize ?? 10_000;
    for (const size of [this.shardSize, ...(options.sizes ?? [])]) {
      if (!Number.isInteger(size) || size < 1 || size > maxShardSamples) {
        throw new RangeError(`ShardWriterOptions.shardSize and sizes must be integers in 1..${maxShardSamples}, got ${size}`);
      }
    }
    if (!/^[a-z][a-z0-9_]*$/.test(options.split))
      throw new RangeError(`ShardWriterOptions.split must be a plain name like train, got ${options.split}`);
  }

  /** Appends a sample; returns the shard file and the key it was written under. */
  add(sample: SampleToWrite): { shard: string; key: string } {
    const shard = this.current ?? this.open();
    const key = shardKey(this.finished.length, shard.samples);
    const json = Buffer.from(JSON.stringify({ key, ...sample.json }), 'utf8');
    this.writeMember(shard, `${key}.jpg`, sample.jpg);
    this.writeMember(shard, `${key}.json`, json);
    this.writeMember(shard, `${key}.txt`, Buffer.from(sample.txt, 'utf8'));
    shard.samples += 1;
    const name = shard.name;
    if (shard.samples === (this.options.sizes?.[this.finished.length] ?? this.shardSize)) this.closeCurrent();
    return { shard: name, key };
  }

  /** Completes the last shard and returns every shard written, in order. */
  finish(): WrittenShard[] {
    if (this.current) this.closeCurrent();
    return [...this.finished];
  }

  /** Closes and deletes the shard in progress (after an error); finished shards stay. */
  abort(): void {
    if (!this.current) return;
    closeSync(this.current.fd);
    rmSync(join(this.options.outDir, this.current.name + partialSuffix), { force: true });
    this.current = undefined;
  }

  private open() {
    const name = shardFileName(this.options.split, this.finished.length);
    const fd = openSync(join(this.options.outDir, name + partialSuffix), 'w');
    this.current = { fd, name, samples: 0, bytes: 0 };
    return this.current;
  }

  private writeMember(shard: { fd: number; bytes: number }, name: string, data: Buffer): void {
    for (const block of [tarHeader(name, data.length), data, tarPadding(data.length)]) {
      writeSync(shard.fd, block);
      shard.bytes += block.length;
    }
  }

  private closeCurrent(): void {
    const shard = this.current!;
    const end = tarEnd();
    writeSync(shard.fd, end);
    fsyncSync(shard.fd);
    closeSync(shard.fd);
    const dir = this.options.outDir;
    renameSync(join(dir, shard.name + partialSuffix), join(dir, shard.name));
    this.finished.push({ name: shard.name, split: this.options.split, samples: shard.samples, bytes: shard.bytes + end.length });
    this.current = undefined;
  }
}
