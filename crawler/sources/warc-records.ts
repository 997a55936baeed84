import { LimitReader, WARCParser, type WARCRecord } from 'warcio';
import { NativeGzipReader } from './native-gzip-reader.js';

/**
 * The archive's bytes stop making sense at `offset`: it is marked failed there,
 * with `reason`. `lastRecordComplete`: the record yielded last is whole (the
 * break came after it); otherwise it is suspect and its pairs are not kept.
 */
export class ArchiveBroken extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
    readonly lastRecordComplete = false,
  ) {
    super(`${reason} at byte ${offset}`);
    this.name = 'ArchiveBroken';
  }
}

/** One WARC record, as the source needs it. */
export interface ArchiveRecord {
  /** Where the record starts in the archive as stored (compressed bytes for .warc.gz). */
  offset: number;
  /** `WARC-Type`: response, request, metadata, warcinfo, ... */
  type: string;
  targetUri: string | undefined;
  /** The record's own Content-Type (`application/json` for a WAT record). */
  contentType: string;
  /** For HTTP responses: the status, Content-Type and X-Robots-Tag of the response inside. */
  http?: { status: number; contentType: string; robotsTag: string | undefined };
  /** The payload (HTTP body, decoded from gzip or chunked), the first `maxBytes` of it. */
  readPayload(maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean }>;
}

const warcVersionLine = /^WARC\/1\.[01]$/;
/**
 * Read pieces: a gzip member cut by a piece's end is inflated again from its
 * start with the next piece, so pieces far larger than a record (a few KB)
 * keep that rare. pako, for the odd member, is given smaller ones.
 */
const readPieceBytes = 128 << 10;

/** The bytes in pieces of `readPieceBytes` (the last one shorter): a socket's small chunks joined, a file's large ones cut. */
async function* inPieces(chunks: AsyncIterable<Uint8Array>, onBytes: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  for await (const chunk of chunks) {
    onBytes(chunk.length);
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes < readPieceBytes) continue;
    const bytes = held.length === 1 ? chunk : Buffer.concat(held);
    let start = 0;
    for (; bytes.length - start >= readPieceBytes; start += readPieceBytes) yield bytes.subarray(start, start + readPieceBytes);
    held = start < bytes.length ? [bytes.subarray(start)] : [];
    heldBytes = bytes.length - start;
  }
  if (heldBytes > 0) yield held.length === 1 ? held[0]! : Buffer.concat(held);
}

/**
 * Reads WARC records with webrecorder's warcio, streamed, from a byte offset
 * that is a record start (a gzip member start for .warc.gz). It checks what
 * warcio lets through: a first line that is not `WARC/1.x`, a record cut short
 * (a truncated file or gzip member, or a Content-Length too large), a gzip
 * stream that breaks mid-file. Each throws `ArchiveBroken` at the offset of
 * the record concerned; every record yielded before the last one was complete.
 */
export class WarcRecordReader {
  private readonly parser: WARCParser;
  private bytesIn = 0;

  constructor(
    chunks: AsyncIterable<Uint8Array>,
    private readonly startOffset: number,
  ) {
    const pieces = inPieces(chunks, (bytes) => {
      this.bytesIn += bytes;
    });
    this.parser = new WARCParser(new NativeGzipReader(pieces));
  }

  /** The offset after the last record, once `records()` has run to the end. */
  get endOffset(): number {
    return this.startOffset + this.parser._reader.getRawOffset();
  }

  async *records(): AsyncGenerator<ArchiveRecord> {
    let gzipped: boolean | undefined;
    for (let index = 0; ; index++) {
      const record = await this.nextRecord(index);
      if (!record) break;
      const offset = this.startOffset + this.parser.offset;
      gzipped ??= this.parser._reader.compressed !== null;
      this.checkGzip(gzipped, offset, true);
      const raw = record.reader;
      yield toArchiveRecord(record, offset);
      if (raw instanceof LimitReader) {
        for await (const _ of raw); // the rest of the record, unread: skipped
        if (raw.limit > 0)
          throw new ArchiveBroken(offset, `record cut short (${raw.limit} of its ${record.warcContentLength} bytes missing)`);
      }
      this.checkGzip(gzipped, offset, false);
    }
    const reader = this.parser._reader;
    const membersEnd = this.startOffset + reader._rawOffset;
    if (gzipped && reader.compressed === null) throw new ArchiveBroken(membersEnd, 'corrupt gzip member', true);
    if (reader.compressed !== null && this.startOffset + this.bytesIn > membersEnd)
      throw new ArchiveBroken(membersEnd, 'truncated gzip member', true);
  }

  private async nextRecord(index: number): Promise<WARCRecord | null> {
    const offset = () => this.startOffset + this.parser.offset;
    let record: WARCRecord | null;
    try {
      record = await this.parser.parse();
    } catch (error) {
      throw new ArchiveBroken(offset(), `unreadable record (${(error as Error).message})`);
    }
    if (record && !(warcVersionLine.test(record.warcHeaders.statusline.trim()) && record.warcType)) {
      const what = index === 0 && offset() === 0 ? 'not a WARC file' : 'not a WARC record (a wrong Content-Length before it?)';
      throw new ArchiveBroken(offset(), `${what}: it starts with ${JSON.stringify(record.warcHeaders.statusline.slice(0, 40))}`);
    }
    return record;
  }

  /** warcio falls back to reading raw bytes when a gzip member does not inflate; in a gzipped archive that is corruption. */
  private checkGzip(gzipped: boolean, offset: number, lastRecordComplete: boolean): void {
    if (gzipped && this.parser._reader.compressed === null) throw new ArchiveBroken(offset, 'corrupt gzip member', lastRecordComplete);
  }
}

function toArchiveRecord(record: WARCRecord, offset: number): ArchiveRecord {
  const http = record.httpHeaders;
  return {
    offset,
    type: record.warcType ?? '',
    targetUri: record.warcTargetURI ?? undefined,
    contentType: record.warcContentType ?? '',
    ...(http
      ? {
          http: {
            status: Number(http.statusCode),
            contentType: http.headers.get('content-type') ?? '',
            robotsTag: http.headers.get('x-robots-tag') ?? undefined,
          },
        }
      : {}),
    readPayload: (maxBytes) => readUpTo(record, maxBytes),
  };
}

async function readUpTo(record: WARCRecord, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of record.contentReader) {
    if (size + chunk.length > maxBytes) {
      chunks.push(chunk.subarray(0, maxBytes - size));
      return { bytes: joined(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: joined(chunks), truncated: false };
}

/** The chunks as one Buffer; a record inflated whole is one chunk, used as it is. */
function joined(chunks: Uint8Array[]): Buffer {
  if (chunks.length !== 1) return Buffer.concat(chunks);
  const [chunk] = chunks as [Uint8Array];
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
