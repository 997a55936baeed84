import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evalClassFolder } from './class-names.js';
import { EmojiRasterizer } from './emoji-raster.js';
import type { Catalog } from './openmoji-catalog.js';

/**
 * Writes the held-out emoji as an image-folder dataset, one sub-folder per
 * class: the subgroup under its plain name (`animal-mammal` in `mammal/1F435.png`), rendered as the site
 * renders its images. The site never serves these, so zero-shot accuracy on
 * them is measured on images the model has not seen. Returns the image count.
 */
export async function writeEvalImages(catalog: Catalog, dir: string, sizePx = 256): Promise<number> {
  const raster = new EmojiRasterizer(catalog.svgDir);
  for (const emoji of catalog.heldOut) {
    const classDir = join(dir, evalClassFolder(emoji.subgroup));
    await mkdir(classDir, { recursive: true });
    const path = join(classDir, `${emoji.hexcode}.png`);
    await writeFile(`${path}.tmp`, await raster.png(emoji.hexcode, sizePx));
    await rename(`${path}.tmp`, path);
  }
  return catalog.heldOut.length;
}
