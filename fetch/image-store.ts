import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { WitError } from '../core/index.js';

/** Folder under the store root where files are written before their rename. */
const tempFolder = '.tmp';

/**
 * The content-addressed image store: `DIR/ab/cd/<sha256>.jpg`, keyed by the
 * sha256 of the ORIGINAL downloaded bytes, so two URLs serving the same bytes
 * share one file. A file appears under its final name only complete: it is
 * written to `DIR/.tmp/<pid>-<n>.jpg` and renamed.
 */
export class ImageStore {
  private readonly knownFolders = new Set<string>();
  private tempCounter = 0;

  constructor(readonly dir: string) {}

  /** `ab/cd/<sha256>.jpg`: the path `images.path` holds, relative to the store root. */
  static relativePath(sha256: string): string {
    return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}.jpg`;
  }

  absolutePath(relativePath: string): string {
    return join(this.dir, relativePath);
  }

  /**
   * Writes the JPEG for `sha256` (replacing an identical one a killed run may
   * have left) and returns its relative path. Synchronous on purpose: on the
   * bench machine the four or five libuv-pool hand-offs of the async calls
   * (open, write, close, rename, and mkdir for a new folder) cost twice the
   * CPU of the calls themselves (about 160 against 75 µs an image), and the
   * main thread already blocks about 100 µs in each sharp call. The price: on
   * a slow disk (a network mount) downloads wait while a file is written.
   */
  put(sha256: string, jpeg: Buffer): string {
    const path = ImageStore.relativePath(sha256);
    const target = this.absolutePath(path);
    const folder = dirname(target);
    const temp = join(this.dir, tempFolder, `${process.pid}-${this.tempCounter++}.jpg`);
    try {
      if (!this.knownFolders.has(folder)) {
        mkdirSync(folder, { recursive: true });
        this.knownFolders.add(folder);
      }
      writeFileSync(temp, jpeg);
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw this.writeError(target, error);
    }
    return path;
  }

  /**
   * Creates the store folders and deletes temp files left by processes that
   * are gone (killed mid-write); returns how many were deleted. Temps of a
   * live process sharing the store are left alone.
   */
  prepare(): number {
    const temps = join(this.dir, tempFolder);
    try {
      mkdirSync(temps, { recursive: true });
    } catch (error) {
      throw this.writeError(temps, error);
    }
    let removed = 0;
    for (const name of readdirSync(temps)) {
      const pid = Number(name.split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) continue;
      rmSync(join(temps, name), { force: true, recursive: true });
      removed++;
    }
    return removed;
  }

  private writeError(path: string, error: unknown): WitError {
    return new WitError(
      `Cannot write ${path} in the image store ${this.dir}: ${(error as Error).message}. ` +
        'Free disk space or fix the folder, then run the same command again: nothing stored so far is lost.',
      { cause: error },
    );
  }

  /** Every `ab/cd/<name>` file in the store (temps excluded), as relative paths. */
  *files(): Generator<{ path: string; sizeBytes: number }> {
    for (const first of safeReaddir(this.dir)) {
      if (first === tempFolder) continue;
      for (const second of safeReaddir(join(this.dir, first))) {
        const folder = join(this.dir, first, second);
        for (const name of safeReaddir(folder)) {
          const file = join(folder, name);
          const info = statSync(file, { throwIfNoEntry: false });
          if (info?.isFile()) yield { path: relative(this.dir, file).split(sep).join('/'), sizeBytes: info.size };
        }
      }
    }
  }
}

function safeReaddir(path: string): string[] {
  try {
    return statSync(path).isDirectory() ? readdirSync(path) : [];
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
