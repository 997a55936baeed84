import { crc32, inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { AsyncIterReader } from 'warcio';

/**
 * warcio's gzip reader with Node's zlib (C) inflating each gzip member whole:
 * a WARC's usual member, one record, a few KB. A member cut by the end of a
 * piece waits for the next piece (up to `carryLimitBytes`). Anything else (a
 * larger member, header flags, more than `inflatedLimitBytes` inflated, bytes
 * that do not inflate or fail their CRC) goes through warcio's own pako
 * inflater, piece by piece, so a broken archive is seen exactly as warcio
 * sees it. This overrides two methods of warcio 2.4's AsyncIterReader and
 * keeps its offset bookkeeping (`_rawOffset` moves past a member when it is
 * inflated).
 */
export class NativeGzipReader extends AsyncIterReader {
  /** Inflated bytes of members read natively, not handed on yet. */
  private inflated: Uint8Array[] = [];
  /** Bytes of the last piece after the member inflated natively: the next member's start. */
  private rest: Uint8Array = new Uint8Array(0);
  /** The start of a member that the last piece cut short: the next piece is joined to it. */
  private carry: Buffer | undefined;
  /** The member being read goes through pako. */
  private viaPako = false;
  /** Bytes for pako not given to it yet: it gets `pakoPieceBytes` at a time, as it inflates all it is given at once. */
  private forPako: Uint8Array = new Uint8Array(0);

  constructor(source: AsyncIterable<Uint8Array>) {
    super(source, 'gzip');
  }

  override _push(piece: Uint8Array): void {
    const value = this.carry ? Buffer.concat([this.carry, piece]) : piece;
    this.carry = undefined;
    this.lastValue = value;
    if (!this.viaPako) {
      const outcome = this.inflateWhole(value);
      if (outcome === 'inflated') return;
      if (outcome === 'cut' && value.length < carryLimitBytes) {
        this.carry = Buffer.from(value);
        return;
      }
    }
    this.viaPako = true;
    this.forPako = value;
    this.feedPako();
  }

  private feedPako(): void {
    const piece = this.forPako.subarray(0, pakoPieceBytes);
    this.forPako = this.forPako.subarray(piece.length);
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
      if (!pako.ended) {
        if (this.forPako.length === 0) return null;
        this.feedPako();
        continue;
      }
      if (pako.err !== 0) {
        this.compressed = null; // as warcio does: the rest is read as raw bytes (the archive reader calls that corrupt)
        return original;
      }
      this.viaPako = false;
      const left = (pako as typeof pako & { strm: { avail_in: number } }).strm.avail_in; // pako's stream, not in its typings
      const rest = left > 0 && this.lastValue ? Buffer.concat([this.lastValue.subarray(-left), this.forPako]) : this.forPako;
      this.forPako = new Uint8Array(0);
      if (rest.length === 0) return null;
      this._push(rest);
    }
  }

  /**
   * Inflates the gzip member at the start of `piece` when it is whole there and checks out. 'cut': the piece
   * ends inside the member; 'pako': anything else, left to pako.
   */
  private inflateWhole(piece: Uint8Array): 'inflated' | 'cut' | 'pako' {
    const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (!plainGzipHeader(bytes)) return bytes.length <= gzipHeaderBytes && gzipMagicSoFar(bytes) ? 'cut' : 'pako';
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      // A sync flush at the end of the input: a member cut short inflates as far as it goes instead of throwing.
      inflated = inflateRawSync(bytes.subarray(gzipHeaderBytes), {
        info: true,
        maxOutputLength: inflatedLimitBytes,
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
      }) as unknown as typeof inflated;
    } catch {
      return 'pako';
    }
    const trailerAt = gzipHeaderBytes + inflated.engine.bytesWritten;
    const end = trailerAt + 8;
    if (end > bytes.length) return 'cut'; // the deflate data or its trailer goes on in the next piece
    const { buffer } = inflated;
    if (bytes.readUInt32LE(trailerAt) !== crc32(buffer) || bytes.readUInt32LE(trailerAt + 4) !== buffer.length % 2 ** 32) return 'pako';
    this._rawOffset += end;
    if (buffer.length > 0) this.inflated.push(buffer);
    this.rest = piece.subarray(end);
    return 'inflated';
  }
}

const gzipHeaderBytes = 10;
/** What pako is given at once: what it inflates it keeps in memory until read. */
const pakoPieceBytes = 16 << 10;
/**
 * A member's compressed bytes held while waiting for its end (each new piece inflates it again from its
 * start, so this bounds the work repeated); a larger member streams through pako.
 */
const carryLimitBytes = 256 << 10;
/** What one member may inflate to in one piece of memory; a larger record streams through pako. */
const inflatedLimitBytes = 16 << 20;

/** The first bytes of a plain gzip header, as far as `bytes` goes. */
function gzipMagicSoFar(bytes: Buffer): boolean {
  const magic = [0x1f, 0x8b, 8, 0];
  return bytes.every((byte, i) => i >= magic.length || byte === magic[i]);
}

/** A gzip header with no optional fields (no name, comment, extra field or header CRC): deflate data follows its 10 bytes. */
function plainGzipHeader(bytes: Buffer): boolean {
  return bytes.length > gzipHeaderBytes && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 8 && bytes[3] === 0;
}
