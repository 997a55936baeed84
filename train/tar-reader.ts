/**
 * An incremental tar reader: entries come out one at a time as the bytes
 * stream in, so a shard of any size is never held in memory whole. Reads
 * ustar, pax (`x` headers for long paths and sizes) and GNU long names (`L`),
 * which covers what Python's tarfile, GNU tar and webdataset writers produce.
 */

const blockBytes = 512;

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
 * which bodies to keep; the others are skipped without being copied.
 */
export async function* readTarEntries(
  chunks: AsyncIterable<Buffer>,
  wantBody: (name: string) => boolean = () => true,
): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(chunks[Symbol.asyncIterator]());
  let longName: string | undefined;
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  for (;;) {
    const header = await reader.read(blockBytes);
    if (header === null || isZeroBlock(header)) return;
    if (header.length < blockBytes) throw new TarFormatError('the archive ends inside an entry header (truncated file)');
    verifyChecksum(header);
    const type = String.fromCharCode(header[156]!);
    const size = paxSize ?? parseNumber(header.subarray(124, 136));
    const padded = Math.ceil(size / blockBytes) * blockBytes;
    if (type === 'x' || type === 'L' || type === 'g') {
      const body = await reader.readExactly(padded, 'an extended header');
      if (type === 'x') ({ path: paxPath, size: paxSize } = parsePax(body.subarray(0, size)));
      if (type === 'L') longName = body.subarray(0, size).toString('utf8').replace(/\0+$/, '');
      continue;
    }
    const name = paxPath ?? longName ?? headerName(header);
    longName = paxPath = paxSize = undefined;
    if (type !== '0' && type !== '\0' && type !== '7') {
      await reader.skip(padded, name);
      continue;
    }
    if (!wantBody(name)) {
      await reader.skip(padded, name);
      yield { name, size, body: null };
      continue;
    }
    const body = await reader.readExactly(padded, name);
    // A copy, so that a kept body does not pin the whole read chunk it came in.
    yield { name, size, body: Buffer.from(body.subarray(0, size)) };
  }
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return block.length === blockBytes;
}

function verifyChecksum(header: Buffer): void {
  const stored = parseNumber(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < blockBytes; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  if (sum !== stored) throw new TarFormatError('a header checksum does not match (not a tar file, or corrupted)');
}

function headerName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = header.subarray(257, 262).toString('latin1') === 'ustar';
  const prefix = isUstar ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

/** Octal text, or GNU base-256 (high bit set) for sizes beyond 8 GiB. */
function parseNumber(field: Buffer): number {
  if (field[0]! & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = cString(field).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`a header holds a malformed number (${JSON.stringify(text)})`);
  return parseInt(text, 8);
}

/** Records of the form "<length> <key>=<value>\n". */
function parsePax(body: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const length = parseInt(body.subarray(at, space).toString('latin1'), 10);
    if (space === -1 || !Number.isFinite(length) || length <= 0) throw new TarFormatError('a pax header is malformed');
    const record = body.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size') out.size = Number(value);
    at += length;
  }
  return out;
}

/** Pulls exact byte counts out of a stream of chunks of any size. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Up to `n` bytes; fewer only at the end of the stream; null at the very end. */
  async read(n: number): Promise<Buffer | null> {
    while (this.buffered < n && (await this.pull()));
    if (this.buffered === 0) return null;
    return this.take(Math.min(n, this.buffered));
  }

  async readExactly(n: number, what: string): Promise<Buffer> {
    const bytes = n === 0 ? Buffer.alloc(0) : await this.read(n);
    if (bytes === null || bytes.length < n) throw new TarFormatError(`the archive ends inside ${what} (truncated file)`);
    return bytes;
  }

  async skip(n: number, what: string): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0 && !(await this.pull())) throw new TarFormatError(`the archive ends inside ${what} (truncated file)`);
      const dropped = Math.min(left, this.buffered);
      this.take(dropped);
      left -= dropped;
    }
  }

  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const { value, done } = await this.source.next();
    if (done) {
      this.done = true;
      return false;
    }
    this.chunks.push(value);
    this.buffered += value.length;
    return true;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      this.chunks[0] = first.subarray(n);
      if (this.chunks[0].length === 0) this.chunks.shift();
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const part = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    this.buffered -= n;
    return out;
  }
}
