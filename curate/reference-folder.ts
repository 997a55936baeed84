import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { WitError } from '../core/index.js';
import type { PhaseProgress } from './options.js';
import { ReferenceHashes } from './reference-hashes.js';

const imageExtensions = /\.(?:jpe?g|png|gif|webp|avif|tiff?|svg)$/i;

/**
 * The pHashes of every image file under `dir` (recursively, by extension;
 * other files are ignored), computed as the fetcher computes `images.phash`.
 * A file with an image extension that does not decode is an error naming it.
 */
export async function hashReferenceFolder(dir: string, maxDistance: number, progress?: PhaseProgress): Promise<ReferenceHashes> {
  const files = listImageFiles(dir);
  if (files.length === 0) throw new WitError(`--exclude-near ${dir}: no image files (.jpg, .png, .webp, .gif, .svg, ...) found in it.`);
  const { computePhash } = await import('../fetch/index.js');
  const reference = new ReferenceHashes(maxDistance);
  for (const [i, file] of files.entries()) {
    try {
      reference.add(await computePhash(readFileSync(file)));
    } catch (error) {
      throw new WitError(
        `--exclude-near: ${relative(dir, file)} in ${dir} is not a readable image (${(error as Error).message}); remove it or fix it.`,
        { cause: error },
      );
    }
    progress?.update({ done: i + 1, total: files.length });
  }
  progress?.finish();
  return reference;
}

function listImageFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && imageExtensions.test(entry.name)) files.push(path);
    }
  };
  walk(dir);
  return files;
}
