import { readFileSync } from 'node:fs';
import { filesUnder, unpackedDebianPackages } from '../debian-packages.js';
import type { CorpusImage } from './corpus.js';

/** Debian packages whose real images make the small-image corpus (median long side about 200 px). */
const packages = ['openclipart-png', 'tuxpaint-stamps-default', 'python3-skimage'];

/**
 * The small-image corpus: `count` real PNG and JPEG files from Debian's clip
 * art, Tux Paint stamps and scikit-image sample data, picked evenly from their
 * sorted paths. The packages are downloaded once with `apt-get download` into
 * `dir` and unpacked there (about 310 MB; nothing is installed).
 */
export function loadSmallCorpus(dir: string, count: number): CorpusImage[] {
  const root = unpackedDebianPackages(dir, packages);
  const files = filesUnder(root, /\.(png|jpe?g)$/i);
  const step = Math.max(1, files.length / count);
  const picked: CorpusImage[] = [];
  for (let i = 0; i < Math.min(count, files.length); i++) {
    const path = files[Math.floor(i * step)]!;
    picked.push({ name: path.slice(root.length + 1), bytes: readFileSync(path) });
  }
  return picked;
}
