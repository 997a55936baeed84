import { closeSync, createReadStream, openSync, readSync, statSync, type Stats } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { WitError } from '../core/index.js';

/** Characters a line may reach before it is cut at a space: bounds memory on files with no newlines. */
const maxLineChars = 1 << 20;
/** Bytes at the start of a file (after gunzip) that must hold no NUL byte. */
const binaryProbeBytes = 64 * 1024;

export interface TextLinesOptions {
  /** What the file is, for error messages, e.g. `Corpus file`. */
  role: string;
  /** Called with the bytes of the file read so far (compressed bytes for `.gz`). */
  onBytesRead?: (bytes: number) => void;
}

/** The size of each file in bytes; a missing file or a folder is a `WitError` naming it. */
export function textFileBytes(path: string, role: string): number {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    throw new WitError(`${role} ${path} does not exist (or cannot be read); check the path.`);
  }
  if (stat.isDirectory())
    throw new WitError(`${role} ${path} is a folder; give a text file (plain or .gz), one line per document or entry.`);
  return stat.size;
}

/**
 * Streams a UTF-8 text file, plain or gzip (detected by its magic bytes, not its
 * name), as batches of lines. Memory stays bounded whatever the file size: one
 * read chunk plus at most `maxLineChars` of an unfinished line (a longer line is
 * cut at its last space). A file that looks binary (a NUL byte in its first
 * 64 KiB) or a corrupt gzip stream is a `WitError` naming the file.
 */
export async function* readTextLines(path: string, options: TextLinesOptions): AsyncGenerator<string[]> {
  textFileBytes(path, options.role);
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  file.on('data', (chunk) => {
    bytesRead += chunk.length;
    options.onBytesRead?.(bytesRead);
  });
  const source = isGzip(path) ? file.pipe(createGunzip()) : file;
  if (source !== file) file.on('error', (error) => source.destroy(error));
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let probed = 0;
  try {
    for await (const chunk of source) {
      const buffer = chunk as Buffer;
      if (probed < binaryProbeBytes) {
        checkNotBinary(buffer.subarray(0, binaryProbeBytes - probed), probed, path, options.role);
        probed += buffer.length;
      }
      const split = splitLines(pending + decoder.write(buffer));
      pending = split.rest;
      if (split.lines.length > 0) yield split.lines;
    }
  } catch (error) {
    if (error instanceof WitError) throw error;
    throw new WitError(`${options.role} ${path} could not be read: ${(error as Error).message}. Give a plain-text or valid .gz file.`, {
      cause: error,
    });
  } finally {
    file.destroy();
    source.destroy();
  }
  const last = pending + decoder.end();
  if (last.length > 0) yield [last];
}

function isGzip(path: string): boolean {
  const magic = Buffer.alloc(2);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function checkNotBinary(probe: Buffer, offset: number, path: string, role: string): void {
  const nul = probe.indexOf(0);
  if (nul === -1) return;
  throw new WitError(
    `${role} ${path} looks binary (a NUL byte at offset ${offset + nul}), not text. ` +
      'Give a UTF-8 text file, plain or .gz, one document or entry per line.',
  );
}

function splitLines(text: string): { lines: string[]; rest: string } {
  const lastNewline = text.lastIndexOf('\n');
  const lines = lastNewline === -1 ? [] : text.slice(0, lastNewline).split('\n');
  let rest = lastNewline === -1 ? text : text.slice(lastNewline + 1);
  while (rest.length > maxLineChars) {
    const cut = rest.lastIndexOf(' ', maxLineChars);
    const at = cut > 0 ? cut : maxLineChars;
    lines.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  return { lines, rest };
}
