import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ShardManifest } from '../curate/index.js';
import { WitError, type GivenOptions } from '../core/index.js';
import { readDatasetExamples } from './dataset-examples.js';
import { datasetSection } from './dataset-section.js';
import { readDbSummary } from '../db/index.js';
import { evaluationSection } from './evaluation-section.js';
import { page } from './html.js';
import type { reportOptions } from './options.js';
import { latestEval, readJson, readRunFiles, type RunFiles } from './run-files.js';
import { readNamedThumbnails, readSampleImages } from './shard-samples.js';
import { thumbnailDataUri } from './thumbnail.js';
import { trainingSection } from './training-section.js';

/** The declared options (options.ts, the stage's own) and how many samples to show. */
export interface ReportOptions extends GivenOptions<typeof reportOptions.entries> {
  runDir: string;
  /**
   * Sample images shown with their captions.
   * @default 24
   */
  sampleCount?: number;
}

export interface WrittenReport {
  path: string;
  bytes: number;
}

/**
 * Writes one self-contained `report.html`: charts are inline SVG, sample
 * images are data: URIs, there is no script and no external URL, so it opens
 * offline and can be mailed as it is. A section whose input is missing says
 * what is missing and how to get it.
 */
export async function writeReport(options: ReportOptions): Promise<WrittenReport> {
  const run = readRunFiles(options.runDir);
  if (options.dbPath !== undefined && !existsSync(options.dbPath))
    throw new WitError(`--db ${options.dbPath} does not exist: give the crawl database, or leave --db out.`);
  if (options.shardsDir !== undefined && !existsSync(options.shardsDir))
    throw new WitError(`--shards ${options.shardsDir} does not exist: give the folder \`wit shards build\` wrote, or leave --shards out.`);
  if (options.imagesDir !== undefined && !existsSync(options.imagesDir))
    throw new WitError(`--images ${options.imagesDir} does not exist: give the image store \`wit fetch\` wrote, or leave --images out.`);
  const db = options.dbPath === undefined ? undefined : readDbSummary(options.dbPath);
  const examples = options.dbPath === undefined ? undefined : await readDatasetExamples(options.dbPath, { imagesDir: options.imagesDir });
  const manifest = options.shardsDir === undefined ? undefined : readJson<ShardManifest>(join(options.shardsDir, 'manifest.json'));
  const samples = options.shardsDir === undefined ? [] : await readSampleImages(options.shardsDir, options.sampleCount ?? 24);
  const subtitle = `run ${resolve(options.runDir)} · written ${new Date().toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  const html = page('wit report', subtitle, [
    datasetSection({ db, manifest, samples, examples, hasImages: options.imagesDir !== undefined }),
    trainingSection(run),
    evaluationSection(run, { zeroShot: await zeroShotThumbnails(run), retrieval: await retrievalThumbnails(run, options.shardsDir) }),
  ]);
  const path = options.outPath ?? join(options.runDir, 'report.html');
  writeFileSync(`${path}.tmp`, html);
  renameSync(`${path}.tmp`, path);
  return { path, bytes: Buffer.byteLength(html) };
}

/** Thumbnails of the zero-shot example images that are still where the eval read them, by path. */
async function zeroShotThumbnails(run: RunFiles): Promise<Map<string, string>> {
  const paths = new Set([...run.confusions.values()].flatMap((file) => (file.examples ?? []).map((example) => example.path)));
  const thumbnails = new Map<string, string>();
  for (const path of paths) if (existsSync(path)) thumbnails.set(path, await thumbnailDataUri(readFileSync(path), 96));
  return thumbnails;
}

/** Thumbnails of the latest retrieval eval's example images, from the shard folder it ranked, else from `shardsDir`. */
async function retrievalThumbnails(run: RunFiles, shardsDir: string | undefined): Promise<Map<string, string>> {
  const files = latestEval(run, 'retrieval')?.files;
  const file = files && run.retrievalExamples.get(files.examples);
  const folder = file && [file.shardsDir, shardsDir].find((dir) => dir !== undefined && existsSync(dir));
  if (!file || !folder) return new Map();
  const captions = new Map(
    file.examples.flatMap((e) => [[e.sample, e.caption] as const, ...e.top.map((t) => [t.sample, t.caption] as const)]),
  );
  return readNamedThumbnails(folder, captions);
}
