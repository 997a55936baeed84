import sharp from 'sharp';

/** An image as a small square JPEG data: URI, to inline in the report. */
export async function thumbnailDataUri(bytes: Buffer, px = 112): Promise<string> {
  const thumb = await sharp(bytes).resize(px, px, { fit: 'cover' }).jpeg({ quality: 78 }).toBuffer();
  return `data:image/jpeg;base64,${thumb.toString('base64')}`;
}
