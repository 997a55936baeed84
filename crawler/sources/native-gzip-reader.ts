import { constants, crc32, inflateRawSync } from 'node:zlib';
import { AsyncIterReader } from 'warcio';

/**
 * warcio's gzip reader with Node's zlib (C) inflating each gzip member
 * whole: a WARC's usual member, one record, a few KB. A member cut by the
 * end of a piece is held and joined to the next piece, up to `heldBytes`.
 * Anything else (a longer member, header flags, bytes that do not inflate
 * or fail their CRC) goes through warcio's own pako inflater as before, so
 * a broken archive is seen exactly as warcio sees it. This
 * overrides two methods of warcio 2.4's AsyncIterReader and keeps its
 * offset bookkeeping (`_rawOffset` moves past a member when it is inflated).
 */
export class NativeGzipReader extends AsyncIterReader {
  /** Inflated bytes of members read natively, not handed on yet. */
  private inflated: Uint8Array[] = [];
  /** Bytes of the last piece after the member inflated natively: the next member's start. */
  private rest: Uint8Array = new Uint8Array(0);
  /** The start of a member that the last piece cut short, joined to the next piece. */
  private held: Uint8Array = new Uint8Array(0);
  /** The member being read goes through pako. */
  private viaPako = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    super(source, 'gzip');
  }

  override _push(value: Uint8Array): void {
    let piece = value;
    if (!this.viaPako) {
      if (this.held.length > 0) piece = Buffer.concat([this.held, value]);
      this.held = new Uint8Array(0);
      const inflated = this.inflateWhole(piece);
      if (inflated === 'whole') return;
      if (inflated === 'cut' && piece.length < heldBytes) {
        this.held = piece;
        return;
      }
    }
    this.lastValue = piece;
    this.viaPako = true;
    super._push(piece);
  }

  override _getNextChunk(original?: Uint8Array): Uint8Array | null | undefined {
    for (;;) {
      const inflated = this.inflated.shift();
      if (inflated) {
        this.numChunks++;
        return inflated;
      }
      if (!this.viaPako) {
        if (this.rest.length === 0) return null;
        const rest = this.rest;
        this.rest = new Uint8Array(0);
        this._push(rest);
        continue;
      }
      const pako = this.inflator!;
      const chunk = pako.chunks.shift();
      if (chunk) {
        this.numChunks++;
        return chunk;
      }
      if (!pako.ended) return null;
      if (pako.err !== 0) {
        this.compressed = null; // as warcio does: the rest is read as raw bytes (the archive reader calls that corrupt)
        return original;
      }
      this.viaPako = false;
      const left = (pako as typeof pako & { strm: { avail_in: number } }).strm.avail_in; // pako's stream, not in its typings
      if (left === 0 || !this.lastValue) return null;
      this._push(this.lastValue.slice(-left));
    }
  }

  /**
   * Inflates the gzip member at the start of `piece` when it is whole there and checks out ('whole');
   * 'cut': the piece ends before the member does; 'pako': leave it to pako.
   */
  private inflateWhole(piece: Uint8Array): 'whole' | 'cut' | 'pako' {
    const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (bytes.length <= gzipHeaderBytes) return 'cut';
    if (!plainGzipHeader(bytes)) return 'pako';
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      // A sync flush inflates what there is without throwing when the member goes on past the piece.
      inflated = inflateRawSync(bytes.subarray(gzipHeaderBytes), {
        info: true,
        finishFlush: constants.Z_SYNC_FLUSH,
        maxOutputLength: maxInflatedBytes,
      }) as unknown as typeof inflated;
    } catch {
      return 'pako';
    }
    const trailerAt = gzipHeaderBytes + inflated.engine.bytesWritten;
    const end = trailerAt + 8;
    if (end > bytes.length) return 'cut';
    const { buffer } = inflated;
    if (bytes.readUInt32LE(trailerAt) !== crc32(buffer) || bytes.readUInt32LE(trailerAt + 4) !== buffer.length % 2 ** 32) return 'pako';
    this._rawOffset += end;
    if (buffer.length > 0) this.inflated.push(buffer);
    this.rest = piece.subarray(end);
    return 'whole';
  }
}

const gzipHeaderBytes = 10;
/** A member cut by a piece's end is held up to this size; a longer one streams through pako, in bounded memory. */
const heldBytes = 32 * 1024;
/** A member inflating to more than this streams through pako (a highly compressed record), in bounded memory. */
const maxInflatedBytes = 8 * 1024 * 1024;

/** A gzip header with no optional fields (no name, comment, extra field or header CRC): deflate data follows its 10 bytes. */
function plainGzipHeader(bytes: Buffer): boolean {
  return bytes.length > gzipHeaderBytes && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 8 && bytes[3] === 0;
}
