/**
 * The naming rules of a WebDataset shard folder, in one place: shard file
 * names (`train-000003.tar`), sample keys (shard number then index, 6 digits
 * each), WebDataset's key rule (a member's key is its path up to the first dot
 * of its base name), the suffix of files still being written, and the brace
 * pattern (`train-{000000..000015}.tar`) that webdataset and open_clip expand.
 */

/** Suffix of a file being written; it is renamed to its final name only when complete. */
export const partialSuffix = '.partial';

/** The largest shard number and index a 6-digit field holds, plus one. */
export const maxShardSamples = 1_000_000;

const digits = 6;
/** `train-000003.tar`, or img2dataset's `00003.tar` (no split: its shards are all train). */
const shardNamePattern = /^(?:([a-z][a-z0-9_]*)-)?(\d+)\.tar$/;

/** `train-000003.tar` */
export function shardFileName(split: string, shardNumber: number): string {
  return `${split}-${pad(shardNumber)}.tar`;
}

/**
 * The split and number of a shard file name (`train-000003.tar`; img2dataset's
 * `00003.tar` is a train shard), or undefined for any other name.
 */
export function parseShardFileName(name: string): { split: string; shardNumber: number } | undefined {
  const match = shardNamePattern.exec(name);
  return match ? { split: match[1] ?? 'train', shardNumber: Number(match[2]) } : undefined;
}

/** `000003000042`: shard number then index inside the shard, 6 digits each. */
export function shardKey(shardNumber: number, index: number): string {
  return `${pad(shardNumber)}${pad(index)}`;
}

/** WebDataset's rule: `a/b/000001.x.json` is key `a/b/000001`, extension `x.json` (lower-cased). */
export function splitMemberName(name: string): { key: string; extension: string } {
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  if (dot <= slash + 1) return { key: name, extension: '' };
  return { key: name.slice(0, dot), extension: name.slice(dot + 1).toLowerCase() };
}

/**
 * The brace pattern naming `count` shards of a split numbered from 0, as
 * webdataset expands it: `train-{000000..000015}.tar`, or the one file name
 * when there is a single shard.
 */
export function shardPattern(split: string, count: number): string {
  if (count < 1) throw new RangeError(`shardPattern needs at least one shard, got ${count}`);
  if (count === 1) return shardFileName(split, 0);
  return `${split}-{${pad(0)}..${pad(count - 1)}}.tar`;
}

function pad(value: number): string {
  return String(value).padStart(digits, '0');
}
