import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The files of Debian `packages`, downloaded once with `apt-get download`
 * into `dir` and unpacked under `dir/root` (nothing is installed); returns
 * that root. A bench's real data comes from here, never from the repository.
 */
export function unpackedDebianPackages(dir: string, packages: string[]): string {
  const root = join(dir, 'root');
  if (existsSync(join(dir, 'complete'))) return root;
  const debs = join(dir, 'debs');
  mkdirSync(debs, { recursive: true });
  mkdirSync(root, { recursive: true });
  try {
    execFileSync('apt-get', ['download', ...packages], { cwd: debs, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    throw new Error(`could not download ${packages.join(', ')} with apt-get (run 'apt-get update' first?): ${(error as Error).message}`);
  }
  for (const deb of readdirSync(debs).filter((name) => name.endsWith('.deb'))) execFileSync('dpkg-deb', ['-x', join(debs, deb), root]);
  writeFileSync(join(dir, 'complete.tmp'), new Date().toISOString());
  renameSync(join(dir, 'complete.tmp'), join(dir, 'complete'));
  return root;
}

/** The non-empty files under `folder` whose names `pattern` matches, in sorted path order. */
export function filesUnder(folder: string, pattern: RegExp): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path, pattern));
    else if (pattern.test(entry.name) && statSync(path).size > 0) found.push(path);
  }
  return found.sort();
}
