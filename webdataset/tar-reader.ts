import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';

/**
 * A streaming tar reader over tar-stream: entries come out one at a time as
 * the bytes stream in, so a shard of any size is never held in memory whole.
 * tar-stream reads ustar, pax and GNU long names, which covers what Python's
 * tarfile, GNU tar and webdataset writers produce.
 */

export interface TarEntry {
  /** The path inside the archive. */
  name: string;
  size: number;
  /** The file's bytes; null when the caller asked to skip them. */
  body: Buffer | null;
}

/** The bytes are not a tar archive, or it ends in the middle of an entry. */
export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

/**
 * Yields the regular files of the archive in order. `wantBody(name)` says
 * which bodies to keep; the others are drained without being kept.
 */
export async function* readTarEntries(
  chunks: AsyncIterable<Buffer>,
  wantBody: (name: string) => boolean = () => true,
): AsyncGenerator<TarEntry> {
  const entries = extract();
  // Errors of the source or the parser reach the loop below through `entries`.
  pipeline(Readable.from(chunks, { objectMode: false }), entries).catch(() => undefined);
  try {
    for await (const entry of entries) {
      const { name, size = 0, type } = entry.header;
      if (type !== 'file' && type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      if (!wantBody(name)) {
        entry.resume();
        yield { name, size, body: null };
        continue;
      }
      const parts: Buffer[] = [];
      for await (const part of entry) parts.push(part as Buffer);
      // A copy (concat always copies), so that a kept body does not pin tar-stream's buffer.
      yield { name, size, body: Buffer.concat(parts) };
    }
  } catch (error) {
    throw isFsError(error) ? error : new TarFormatError(tarProblem(error), { cause: error });
  } finally {
    entries.destroy();
  }
}

function tarProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/unexpected end/i.test(message)) return 'the archive ends inside an entry (truncated file)';
  if (/invalid tar header/i.test(message)) return 'a header is not a tar header (not a tar file, or corrupted)';
  return message;
}

/** An error of the file being read (ENOENT, EACCES, EISDIR, ...), left as it is for the caller to name. */
export function isFsError(error: unknown): boolean {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    (error as NodeJS.ErrnoException).syscall !== undefined
  );
}
