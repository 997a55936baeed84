import { rmSync } from 'node:fs';
import { countOkImagesWithoutPath, resetImagesWithPath, resetOkImagesWithoutPath, storedImagePaths, type WitDb } from '../db/index.js';
import type { GivenOptions } from '../core/index.js';
import { ImageStore } from './image-store.js';
import type { checkImagesOptions } from './options.js';

/** The declared options (options.ts, the stage's own); the store's root is required. */
export interface CheckImagesOptions extends GivenOptions<typeof checkImagesOptions.entries> {
  imagesDir: string;
}

export interface CheckImagesReport {
  /** Distinct paths the `ok` rows point to. */
  pathsInDb: number;
  /** Image files in the store. */
  filesInStore: number;
  /** Paths of `ok` rows with no file (or an empty one); up to 20 listed in `samples`. */
  missingFiles: number;
  /** Files no `ok` row points to. */
  extraFiles: number;
  /** Temp files left by killed processes (always deleted). */
  staleTemps: number;
  /** `ok` rows without a path. */
  rowsWithoutPath: number;
  /** Rows put back to pending by `repair`. */
  rowsReset: number;
  /** Files deleted by `repair`. */
  filesDeleted: number;
  samples: { missing: string[]; extra: string[] };
  repaired: boolean;
}

const maxSamples = 20;

/** Compares the `images` rows with the files of the store, and repairs on request. */
export function checkImages(db: WitDb, options: CheckImagesOptions): CheckImagesReport {
  const store = new ImageStore(options.imagesDir);
  const staleTemps = store.prepare();
  const inDb = storedImagePaths(db);
  const seen = new Set<string>();
  const extra: string[] = [];
  for (const file of store.files()) {
    if (inDb.has(file.path) && file.sizeBytes > 0) seen.add(file.path);
    else extra.push(file.path);
  }
  const missing = [...inDb.keys()].filter((path) => !seen.has(path));
  const rowsWithoutPath = countOkImagesWithoutPath(db);
  const report: CheckImagesReport = {
    pathsInDb: inDb.size,
    filesInStore: seen.size + extra.length,
    missingFiles: missing.length,
    extraFiles: extra.length,
    staleTemps,
    rowsWithoutPath,
    rowsReset: 0,
    filesDeleted: 0,
    samples: { missing: missing.slice(0, maxSamples), extra: extra.slice(0, maxSamples) },
    repaired: options.repair === true,
  };
  if (!options.repair) return report;
  report.rowsReset = resetImagesWithPath(db, missing) + resetOkImagesWithoutPath(db);
  for (const path of extra) rmSync(store.absolutePath(path), { force: true });
  report.filesDeleted = extra.length;
  return report;
}

/** The report as a few plain lines. */
export function formatCheckImagesReport(report: CheckImagesReport): string {
  const lines = [
    `db paths: ${report.pathsInDb}, store files: ${report.filesInStore}`,
    `missing files: ${report.missingFiles}, extra files: ${report.extraFiles}, ok rows without path: ${report.rowsWithoutPath}, stale temp files deleted: ${report.staleTemps}`,
  ];
  for (const path of report.samples.missing) lines.push(`  missing ${path}`);
  for (const path of report.samples.extra) lines.push(`  extra   ${path}`);
  const problems = report.missingFiles + report.extraFiles + report.rowsWithoutPath;
  if (report.repaired)
    lines.push(
      `repaired: ${report.rowsReset} rows back to pending (run \`wit fetch\` to download them again), ${report.filesDeleted} extra files deleted`,
    );
  else if (problems > 0) lines.push('the db and the store disagree: run again with --repair to fix it');
  else lines.push('the db and the store agree');
  return lines.join('\n');
}
