import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ReasonCounter, WitError } from '../core/index.js';
import { parseShardFileName, partialSuffix, splitMemberName } from './shard-names.js';
import { isFsError, readTarEntries, TarFormatError } from './tar-reader.js';

/** One image-text pair of a WebDataset shard: `<key>.jpg`, `<key>.txt`, `<key>.json`. */
export interface ShardSample {
  key: string;
  jpg: Buffer;
  /** The caption. */
  txt: string;
  /** The metadata record (url, page, query, ...); `{}` when absent. */
  json: Record<string, unknown>;
}

export type ShardSplit = 'train' | 'val';

export interface ShardFile {
  path: string;
  /** The file name, e.g. `train-000003.tar`. */
  name: string;
  /** Samples in it, from `sizes.json`; undefined when the folder has none. */
  count: number | undefined;
}

export interface ListShardsOptions {
  /** Return an empty list, rather than throw, when the folder has no shard of the split. */
  optional?: boolean;
}

/**
 * The shards of one split in a shard folder, in name order, with their sample
 * counts from `sizes.json` when it is there. Throws a `WitError` when the
 * folder is missing, (unless `optional`) holds no shard of the split, holds a
 * shard still being written (`.tar.partial`: a build that was stopped), or
 * when its `sizes.json` and its tars disagree. A folder without `sizes.json`
 * (img2dataset's, webdataset's) is listed as it is.
 */
export async function listShards(dir: string, split: ShardSplit, options: ListShardsOptions = {}): Promise<ShardFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new WitError(
      `cannot read the shard folder ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)}): pass the folder \`wit shards\` wrote with --shards.`,
    );
  }
  const partial = names.find((name) => name.endsWith(`.tar${partialSuffix}`));
  if (partial) {
    throw new WitError(
      `the shard folder ${dir} holds ${partial}, a shard still being written: its build was stopped. Run the same \`wit shards build\` again to finish it, or delete the file.`,
    );
  }
  const sizes = await readSizes(dir);
  const files = names
    .filter((name) => parseShardFileName(name)?.split === split)
    .sort()
    .map((name) => ({ path: join(dir, name), name, count: sizes?.[name] }));
  if (sizes) checkSizesAgree(dir, split, files, sizes);
  if (files.length === 0 && !options.optional) {
    throw new WitError(
      `the shard folder ${dir} holds no ${split} shards (${split}-000000.tar, ...): build them with \`wit shards\`, or pass the right folder with --shards.`,
    );
  }
  return files;
}

/** Every shard of the split is in sizes.json and every one sizes.json names is there. */
function checkSizesAgree(dir: string, split: string, files: readonly ShardFile[], sizes: Record<string, number>): void {
  const unlisted = files.find((file) => file.count === undefined);
  const listed = new Set(files.map((file) => file.name));
  const absent = Object.keys(sizes).find((name) => parseShardFileName(name)?.split === split && !listed.has(name));
  if (!unlisted && !absent) return;
  const problem = unlisted ? `${unlisted.name} is not in ${sizesFile}` : `${sizesFile} lists ${absent}, which is not there`;
  throw new WitError(
    `the shard folder ${dir} does not match its ${sizesFile}: ${problem}. Rebuild it with \`wit shards build\`, or put back the missing shard.`,
  );
}

/** Throws when a shard holds another number of samples than sizes.json says. */
export function checkShardCount(shard: ShardFile, samples: number): void {
  if (shard.count === undefined || shard.count === samples) return;
  throw new WitError(
    `shard ${shard.path} holds ${samples} samples but ${sizesFile} says ${shard.count}: the folder was changed after its build. Rebuild it with \`wit shards build\`.`,
  );
}

const sizesFile = 'sizes.json';

async function readSizes(dir: string): Promise<Record<string, number> | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, sizesFile), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, number] => Number.isInteger(entry[1])));
  } catch (error) {
    throw new WitError(
      `${join(dir, 'sizes.json')} is not valid JSON (${(error as Error).message}): fix or delete it (it is only a cache of sample counts).`,
    );
  }
}

export interface ReadShardOptions {
  /** Counts samples skipped for missing parts (`missing_jpg`, `missing_txt`, `bad_json`). */
  reasons?: ReasonCounter;
}

/**
 * The samples of one shard, streamed: the tar is parsed as it is read.
 * A shard that cannot be read or parsed throws a `WitError` naming it.
 */
export async function* readShardSamples(path: string, options: ReadShardOptions = {}): AsyncGenerator<ShardSample> {
  for await (const parts of readShardParts(path, () => true)) {
    const sample = toSample(parts, options.reasons);
    if (sample) yield sample;
  }
}

/** The key and caption of each sample, skipping the image bytes (for counting and the vocabulary). */
export async function* readShardCaptions(path: string): AsyncGenerator<{ key: string; txt: string }> {
  for await (const parts of readShardParts(path, (name) => name.endsWith('.txt'))) {
    const txt = parts.files.get('txt');
    if (txt && imageExtensions.some((extension) => parts.files.has(extension))) yield { key: parts.key, txt: txt.toString('utf8') };
  }
}

/** Counts the samples (pairs with both an image and a caption) of the shards, using `sizes.json` where it has them. */
export async function countSamples(shards: readonly ShardFile[]): Promise<number> {
  let total = 0;
  for (const shard of shards) {
    if (shard.count !== undefined) {
      total += shard.count;
      continue;
    }
    for await (const _ of readShardCaptions(shard.path)) total++;
  }
  return total;
}

interface SampleParts {
  key: string;
  /** Extension (`jpg`, `txt`, ...) to body; an empty buffer when the body was skipped. */
  files: Map<string, Buffer>;
}

/** Groups consecutive tar entries sharing a key, as webdataset does. */
async function* readShardParts(path: string, wantBody: (name: string) => boolean): AsyncGenerator<SampleParts> {
  let current: SampleParts | undefined;
  try {
    for await (const entry of readTarEntries(createReadStream(path, { highWaterMark: 1 << 16 }), wantBody)) {
      const { key, extension } = splitMemberName(entry.name);
      if (current && current.key !== key) {
        yield current;
        current = undefined;
      }
      current ??= { key, files: new Map() };
      current.files.set(extension, entry.body ?? Buffer.alloc(0));
    }
  } catch (error) {
    if (error instanceof TarFormatError || isFsError(error)) {
      const reason =
        error instanceof TarFormatError ? error.message : `${(error as NodeJS.ErrnoException).code}: ${(error as Error).message}`;
      throw new WitError(
        `cannot read shard ${path}: ${reason}. Re-create the shards with \`wit shards\`, or move this file out of the shard folder.`,
        { cause: error },
      );
    }
    throw error;
  }
  if (current) yield current;
}

/** What img2dataset's `--encode_format` can write; JPEG is what wit writes. */
const imageExtensions = ['jpg', 'jpeg', 'png', 'webp'];

function toSample(parts: SampleParts, reasons: ReasonCounter | undefined): ShardSample | undefined {
  const jpg = imageExtensions.map((extension) => parts.files.get(extension)).find((body) => body !== undefined);
  const txt = parts.files.get('txt');
  if (!jpg) return void reasons?.add('missing_jpg');
  if (!txt) return void reasons?.add('missing_txt');
  return { key: parts.key, jpg, txt: txt.toString('utf8'), json: parseJson(parts.files.get('json'), reasons) };
}

function parseJson(bytes: Buffer | undefined, reasons: ReasonCounter | undefined): Record<string, unknown> {
  if (!bytes) return {};
  try {
    const value = JSON.parse(bytes.toString('utf8')) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // counted below
  }
  reasons?.add('bad_json');
  return {};
}
