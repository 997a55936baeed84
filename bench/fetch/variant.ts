import { crc32 } from 'node:zlib';

/**
 * The same image with `id` written into a comment (JPEG COM segment after SOI,
 * PNG tEXt chunk after IHDR): the same pixels and decode cost, its own sha256,
 * so that serving one corpus file at many URLs is not deduplicated away.
 */
export function imageVariant(bytes: Buffer, id: number): Buffer {
  const text = Buffer.from(`wit-bench ${id}`, 'latin1');
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(0xfffe, 0);
    head.writeUInt16BE(text.length + 2, 2);
    return Buffer.concat([bytes.subarray(0, 2), head, text, bytes.subarray(2)]);
  }
  // PNG: 8-byte signature, then IHDR (8 + 13 + 4 bytes).
  const afterIhdr = 8 + 25;
  const data = Buffer.concat([Buffer.from('comment\0', 'latin1'), text]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([bytes.subarray(0, afterIhdr), chunk, bytes.subarray(afterIhdr)]);
}
