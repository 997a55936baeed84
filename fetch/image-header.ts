/** What the checks need before decoding: the decoder's name and the size as displayed. */
export interface ImageHeader {
  /** As sharp's `metadata().format` names it: jpeg, png, webp, ... */
  format: string;
  /** Width after EXIF orientation. */
  width: number;
  /** Height after EXIF orientation. */
  height: number;
}

/**
 * The size of a PNG or JPEG read from its first bytes, without a trip through
 * sharp (a `metadata()` call cost as much main-thread time as the pHash).
 * Undefined when the bytes are anything else, when they carry EXIF (whose
 * orientation may swap the sides) or when the header is not the plain one
 * expected: sharp's metadata decides then.
 */
export function readImageHeader(bytes: Buffer): ImageHeader | undefined {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR') return pngHeader(bytes);
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegHeader(bytes);
  return undefined;
}

/** IHDR's size, unless an eXIf chunk comes before the pixels. */
function pngHeader(bytes: Buffer): ImageHeader | undefined {
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  for (let at = 8; at + 8 <= bytes.length; ) {
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (type === 'eXIf') return undefined;
    if (type === 'IDAT') return width > 0 && height > 0 ? { format: 'png', width, height } : undefined;
    at += 12 + bytes.readUInt32BE(at);
  }
  return undefined;
}

/** The first frame header's size, unless an APP1 Exif segment comes before it. */
function jpegHeader(bytes: Buffer): ImageHeader | undefined {
  for (let at = 2; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    if (isFrameHeader(marker)) {
      if (at + 9 > bytes.length) return undefined;
      const height = bytes.readUInt16BE(at + 5);
      const width = bytes.readUInt16BE(at + 7);
      return width > 0 && height > 0 ? { format: 'jpeg', width, height } : undefined;
    }
    if (marker === 0xda || (marker >= 0xd0 && marker <= 0xd9) || length < 2) return undefined;
    if (marker === 0xe1 && bytes.toString('latin1', at + 4, at + 8) === 'Exif') return undefined;
    at += 2 + length;
  }
  return undefined;
}

/** SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC). */
function isFrameHeader(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}
