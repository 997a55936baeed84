import { existsSync, statSync } from 'node:fs';
import { readCurationCandidates, replaceCuration, type CurationCandidate, type WitDb } from '../db/index.js';
import { ReasonCounter, resolveOptions, WitError } from '../core/index.js';
import { curatePairs, type CuratedPairs, type CurateContext } from './curate-pairs.js';
import { loadLanguageCheck } from './language-filter.js';
import { resolveCurateOptions, shardOptions, type BuildPhase, type BuildShardsOptions, type PhaseProgress } from './options.js';
import { hashReferenceFolder } from './reference-folder.js';
import { prepareStaging, removeStaging, swapIn } from './output-swap.js';
import { writeShardIndex, type ShardManifest } from './shard-index.js';
import type { WrittenShard } from '../webdataset/index.js';
import { writeSamples } from './write-samples.js';

/** What a build did, for the summary table. */
export interface BuildShardsResult {
  pairs: number;
  train: number;
  val: number;
  /** Pairs dropped per reason, most frequent first. */
  dropped: Record<string, number>;
  shards: WrittenShard[];
  /** Near-duplicate clusters among the images that passed the filters. */
  clusters: number;
  /** Images of the evaluation folder (`excludeNearDir`), 0 without one. */
  evalImages: number;
  /** Seconds each phase took, in run order. */
  phaseSecs: Array<[BuildPhase, number]>;
  manifest: ShardManifest;
}

/**
 * `wit shards build`: reads every pair, decides its fate (`curatePairs`),
 * writes the kept ones as WebDataset shards (with img2dataset's per-shard
 * parquet and stats), records every decision in `curation`, and writes
 * `sizes.json` and, last, `manifest.json`. All of it goes into a folder
 * beside `outDir` that replaces it only when complete (`output-swap.ts`), so
 * a build that fails or is stopped leaves the previous shards as they were,
 * and is simply run again. The same db, images and options give
 * byte-identical shards.
 */
export async function buildShards(db: WitDb, options: BuildShardsOptions): Promise<BuildShardsResult> {
  const curate = resolveCurateOptions(options);
  const { shardSize, minShards } = resolveOptions(shardOptions, options);
  checkFolders(options);
  const phaseSecs: Array<[BuildPhase, number]> = [];
  const progress = timedProgress(options.progress, phaseSecs);

  const pairs = withPhase(progress, 'load', 'pairs', (line) => readCurationCandidates(db, (rows) => line.update({ done: rows })));
  const context: CurateContext = { progress };
  if (curate.languages.length > 0) context.languageCheck = await loadLanguageCheck(curate.languages);
  if (options.excludeNearDir) {
    context.reference = await hashReferenceFolder(options.excludeNearDir, curate.nearDupDistance, progress('eval_images', 'images'));
  }
  const curated = curatePairs(pairs, curate, context);
  const config = {
    ...curate,
    blockWords: curate.blockWords.length,
    blockHosts: curate.blockHosts.length,
    shardSize,
    minShards,
    excludeNear: options.excludeNearDir ? { images: context.reference?.size ?? 0 } : null,
  };
  const { shards, manifest, dropped } = await writeBuild(db, pairs, curated, { ...options, shardSize, minShards, config }, progress);
  return {
    pairs: pairs.length,
    train: manifest.splits.train?.samples ?? 0,
    val: manifest.splits.val?.samples ?? 0,
    dropped: dropped.toJSON(),
    shards,
    clusters: curated.clusters,
    evalImages: context.reference?.size ?? 0,
    phaseSecs,
    manifest,
  };
}

interface WriteBuildOptions extends BuildShardsOptions {
  shardSize: number;
  minShards: number;
  config: Record<string, unknown>;
}

/**
 * Shards, `curation` and manifests, written into a staging folder that is
 * swapped in at `outDir` once complete; on failure it is removed and the old
 * `outDir` stays. A full disk is a `WitError` naming the folder.
 */
async function writeBuild(
  db: WitDb,
  pairs: readonly CurationCandidate[],
  curated: CuratedPairs,
  options: WriteBuildOptions,
  progress: ProgressFactory,
) {
  let staging: string | undefined;
  try {
    staging = prepareStaging(options.outDir);
    const { shards, records } = await writeSamples(pairs, curated, { ...options, outDir: staging, progress: progress('write', 'samples') });
    withPhase(progress, 'record', 'pairs', () => replaceCuration(db, records, options.config));
    const dropped = new ReasonCounter();
    for (const record of records) if (record.reason) dropped.add(record.reason);
    const manifest = writeShardIndex(staging, shards, { dropped: dropped.toJSON(), config: options.config });
    swapIn(staging, options.outDir);
    return { shards, dropped, manifest };
  } catch (error) {
    if (staging) removeStaging(staging);
    if (!isDiskFull(error)) throw error;
    throw new WitError(
      `no space left on the disk of --out ${options.outDir} (${(error as NodeJS.ErrnoException).code}) while writing the shards: free space and run the same command. The shards already there are kept as they were.`,
      { cause: error },
    );
  }
}

function checkFolders(options: BuildShardsOptions): void {
  const isFolder = (path: string) => existsSync(path) && statSync(path).isDirectory();
  if (!isFolder(options.imagesDir))
    throw new WitError(`--images ${options.imagesDir} is not a folder: give the image store that \`wit fetch\` wrote.`);
  if (options.excludeNearDir && !isFolder(options.excludeNearDir)) {
    throw new WitError(`--exclude-near ${options.excludeNearDir} is not a folder: give a folder of evaluation images.`);
  }
  if (existsSync(options.outDir) && !statSync(options.outDir).isDirectory())
    throw new WitError(`--out ${options.outDir} is a file; give a folder for the shards.`);
}

function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

type ProgressFactory = (phase: BuildPhase, unit: string) => PhaseProgress;

/** Wraps the caller's progress factory to time each phase (start to finish). */
function timedProgress(outer: BuildShardsOptions['progress'], phaseSecs: Array<[BuildPhase, number]>): ProgressFactory {
  return (phase, unit) => {
    const startedAt = performance.now();
    const inner = outer?.(phase, unit);
    return {
      update: (update) => inner?.update(update),
      finish: () => {
        phaseSecs.push([phase, (performance.now() - startedAt) / 1000]);
        inner?.finish();
      },
    };
  };
}

function withPhase<T>(progress: ProgressFactory, phase: BuildPhase, unit: string, work: (line: PhaseProgress) => T): T {
  const line = progress(phase, unit);
  try {
    const result = work(line);
    line.update({ done: Array.isArray(result) ? result.length : typeof result === 'number' ? result : 0 });
    return result;
  } finally {
    line.finish();
  }
}
