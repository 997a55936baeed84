import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * A rebuild never removes a good shards folder before the new one is
 * complete: the build writes into `<out>.partial/` beside `--out`, and only
 * then is it swapped in (`<out>` → `<out>.old`, `<out>.partial` → `<out>`,
 * `<out>.old` removed). Files of the old folder that no build writes (the
 * user's own) are carried into the new one. A build stopped at any point
 * leaves either the old folder or the new one at `<out>`; the next build
 * finishes an interrupted swap first.
 */

/** A file a build writes into the shards folder. */
const builtFile = /^(?:(?:train|val)-\d{6}(?:\.tar|\.parquet|_stats\.json)|manifest\.json|sizes\.json)(?:\.partial)?$/;

/** Finishes any swap a stopped build left, then gives an empty staging folder beside `outDir`. */
export function prepareStaging(outDir: string): string {
  finishSwap(outDir);
  const staging = `${resolve(outDir)}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  return staging;
}

/** Puts the complete build in `staging` at `outDir`, keeping the old folder's own files. */
export function swapIn(staging: string, outDir: string): void {
  const old = oldFolder(outDir);
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(staging, outDir);
  finishSwap(outDir);
}

/** Removes a failed build's staging folder. */
export function removeStaging(staging: string): void {
  rmSync(staging, { recursive: true, force: true });
}

function finishSwap(outDir: string): void {
  const old = oldFolder(outDir);
  if (!existsSync(old)) return;
  if (!existsSync(outDir)) {
    renameSync(old, outDir); // stopped between the two renames: the old build is still the good one
    return;
  }
  for (const name of readdirSync(old)) if (!builtFile.test(name)) renameSync(join(old, name), join(outDir, name));
  rmSync(old, { recursive: true, force: true });
}

function oldFolder(outDir: string): string {
  return `${resolve(outDir)}.old`;
}
