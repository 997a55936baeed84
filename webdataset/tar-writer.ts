/**
 * The smallest ustar (POSIX.1-1988) writer that WebDataset, Python's `tarfile`
 * and GNU tar read: regular files only, every header field fixed except name
 * and size, so that the same members give the same bytes on every run.
 */

export const tarBlockBytes = 512;

/** Every member's mtime: 2000-01-01T00:00:00Z, fixed so that re-runs are byte-identical. */
export const tarMtimeSecs = 946_684_800;
const fileMode = 0o644;
const maxNameBytes = 100;
const maxSizeBytes = 8 ** 11 - 1;

/** The 512-byte ustar header of a regular file `name` of `size` bytes (uid/gid 0, owner `wit`). */
export function tarHeader(name: string, size: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > maxNameBytes) throw new RangeError(`tar member name longer than ${maxNameBytes} bytes: ${name}`);
  if (!Number.isInteger(size) || size < 0 || size > maxSizeBytes) throw new RangeError(`tar member ${name}: size ${size} out of range`);
  const header = Buffer.alloc(tarBlockBytes);
  nameBytes.copy(header, 0);
  writeOctal(header, 100, 8, fileMode);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, tarMtimeSecs);
  header.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  header.write('0', 156, 'latin1');
  header.write('ustar\u000000', 257, 'latin1');
  header.write('wit', 265, 'latin1');
  header.write('wit', 297, 'latin1');
  let sum = 0;
  for (const byte of header) sum += byte;
  writeOctal(header, 148, 7, sum);
  header[155] = 0x20;
  return header;
}

/** Zero bytes that round `size` up to a whole block. */
export function tarPadding(size: number): Buffer {
  const rest = size % tarBlockBytes;
  return Buffer.alloc(rest === 0 ? 0 : tarBlockBytes - rest);
}

/** Two zero blocks: the end-of-archive marker. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * tarBlockBytes);
}

function writeOctal(header: Buffer, offset: number, width: number, value: number): void {
  header.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'latin1');
}
