import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** Pixel sizes the website serves; all pass the fetcher's minimum side. */
export const servedSizesPx = [128, 192, 256, 320] as const;

/**
 * Renders openmoji SVGs to PNG on a white page (a web image, not a
 * transparent sticker: a JPEG re-encode would otherwise turn the background
 * black). Each (emoji, size) is rendered once and kept in memory.
 */
export class EmojiRasterizer {
  private readonly cache = new Map<string, Promise<Buffer>>();

  constructor(private readonly svgDir: string) {}

  png(hexcode: string, sizePx: number): Promise<Buffer> {
    const key = `${hexcode}@${sizePx}`;
    let cached = this.cache.get(key);
    if (!cached) {
      cached = this.render(hexcode, sizePx);
      cached.catch(() => this.cache.delete(key));
      this.cache.set(key, cached);
    }
    return cached;
  }

  private async render(hexcode: string, sizePx: number): Promise<Buffer> {
    const svg = await readFile(join(this.svgDir, `${hexcode}.svg`));
    return sharp(svg, { density: sizePx })
      .resize(sizePx, sizePx, { fit: 'contain', background: '#ffffff' })
      .flatten({ background: '#ffffff' })
      .png({ compressionLevel: 6 })
      .toBuffer();
  }
}

/** The size an emoji is served at: varied across emoji, fixed per emoji. */
export function servedSizeOf(hexcode: string): number {
  let hash = 0;
  for (const ch of hexcode) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return servedSizesPx[hash % servedSizesPx.length]!;
}
