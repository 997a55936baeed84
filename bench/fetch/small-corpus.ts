import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const root = join(dir, 'root');
  if (!existsSync(join(dir, 'complete'))) unpackPackages(dir, root);
  const files = imageFiles(root).sort();
  const step = Math.max(1, files.length / count);
  const picked: CorpusImage[] = [];
  for (let i = 0; i < Math.min(count, files.length); i++) {
    const path = files[Math.floor(i * step)]!;
    picked.push({ name: path.slice(root.length + 1), bytes: readFileSync(path) });
  }
  return picked;
}

function unpackPackages(dir: string, root: string): void {
  const debs = join(dir, 'debs');
  mkdirSync(debs, { recursive: true });
  mkdirSync(root, { recursive: true });
  try {
    execFileSync('apt-get', ['download', ...packages], { cwd: debs, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    throw new Error(
      `bench fetch: could not download ${packages.join(', ')} with apt-get (run 'apt-get update' first?): ${(error as Error).message}`,
    );
  }
  for (const deb of readdirSync(debs).filter((name) => name.endsWith('.deb'))) execFileSync('dpkg-deb', ['-x', join(debs, deb), root]);
  writeFileSync(join(dir, 'complete.tmp'), new Date().toISOString());
  renameSync(join(dir, 'complete.tmp'), join(dir, 'complete'));
}

function imageFiles(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...imageFiles(path));
    else if (/\.(png|jpe?g)$/i.test(entry.name) && statSync(path).size > 0) found.push(path);
  }
  return found;
}
