import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { WitError } from '../../core/index.js';
import { isArchiveUrl } from './archive-stream.js';

/**
 * The archives of a paths file, one a line, plain or gzip (Common Crawl's
 * `warc.paths.gz`): blank lines and `#` comments skipped, `prefix` put before
 * every line that is not a URL or an absolute path.
 */
export function readArchiveList(path: string, prefix?: string): string[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new WitError(`Cannot read the archive list ${path}: ${(error as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw new WitError(`The archive list ${path} looks gzipped but does not decompress: is it complete?`);
    }
  }
  if (bytes.includes(0) || bytes.subarray(0, 5).toString('latin1') === 'WARC/') {
    throw new WitError(
      `The archive list ${path} is not text: give a file of paths or URLs, one a line (an archive itself goes to --warc).`,
    );
  }
  const lines = bytes
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  if (lines.length === 0) throw new WitError(`The archive list ${path} names no archives (one path or URL a line).`);
  return lines.map((line) => (prefix && !isArchiveUrl(line) && !line.startsWith('/') ? joinPrefix(prefix, line) : line));
}

function joinPrefix(prefix: string, line: string): string {
  return `${prefix.replace(/\/+$/, '')}/${line.replace(/^\/+/, '')}`;
}
