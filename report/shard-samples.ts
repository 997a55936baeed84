import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { thumbnailDataUri } from './thumbnail.js';

/** A sample image of the dataset, ready to inline: a small JPEG as a data: URI, and its caption. */
export interface SampleImage {
  dataUri: string;
  caption: string;
}

/** The shard files of a folder, train first, in name order. */
function listShards(shardsDir: string): string[] {
  if (!existsSync(shardsDir)) return [];
  const tars = readdirSync(shardsDir).filter((name) => name.endsWith('.tar')).sort();
  return [...tars.filter((n) => n.startsWith('train')), ...tars.filter((n) => !n.startsWith('train'))];
}

/**
 * Up to `count` samples from the head of the first shard, evenly spread over
 * what was read: only `maxReadBytes` are read, however big the shard.
 */
export async function readSampleImages(shardsDir: string, count: number, thumbnailPx = 112, maxReadBytes = 8 << 20): Promise<SampleImage[]> {
  const [first] = listShards(shardsDir);
  if (!first) return [];
  const members = readTarHead(join(shardsDir, first), maxReadBytes);
  const byKey = new Map<string, { jpg?: Buffer; txt?: string }>();
  for (const { name, body } of members) {
    const dot = name.indexOf('.');
    const key = name.slice(0, dot);
    const entry = byKey.get(key) ?? {};
    const ext = name.slice(dot + 1);
    if (ext === 'jpg' || ext === 'jpeg' || ext === 'png' || ext === 'webp') entry.jpg = body;
    if (ext === 'txt') entry.txt = body.toString('utf8');
    byKey.set(key, entry);
  }
  const complete = [...byKey.values()].filter((e): e is { jpg: Buffer; txt: string } => e.jpg !== undefined && e.txt !== undefined);
  const step = Math.max(1, complete.length / count);
  const picked = Array.from({ length: Math.min(count, complete.length) }, (_, i) => complete[Math.floor(i * step)]!);
  return Promise.all(
    picked.map(async (sample) => ({ dataUri: await thumbnailDataUri(sample.jpg, thumbnailPx), caption: sample.txt })),
  );
}

/** The complete regular-file members in the first `maxBytes` of a ustar archive. */
function readTarHead(path: string, maxBytes: number): Array<{ name: string; body: Buffer }> {
  const fd = openSync(path, 'r');
  let bytes: Buffer;
  try {
    const buffer = Buffer.alloc(maxBytes);
    bytes = buffer.subarray(0, readSync(fd, buffer, 0, maxBytes, 0));
  } finally {
    closeSync(fd);
  }
  const members: Array<{ name: string; body: Buffer }> = [];
  for (let offset = 0; offset + 512 <= bytes.length; ) {
    const header = bytes.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const start = offset + 512;
    if (start + size > bytes.length) break;
    if (type === '0' || type === '\0') members.push({ name: prefix ? `${prefix}/${name}` : name, body: bytes.subarray(start, start + size) });
    offset = start + Math.ceil(size / 512) * 512;
  }
  return members;
}
