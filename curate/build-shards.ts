import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCurationCandidates, ReasonCounter, replaceCuration, WitError, type WitDb } from '../db/index.js';
import { curatePairs, type CurateContext } from './curate-pairs.js';
import { loadLanguageCheck } from './language-filter.js';
import { defaultShardSize, resolveCurateOptions, type BuildPhase, type BuildShardsOptions, type PhaseProgress } from './options.js';
import { hashReferenceFolder } from './reference-folder.js';
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

/** A file a previous build left in the output folder. */
const builtFile = /^(?:(?:train|val)-\d{6}\.tar|manifest\.json|sizes\.json)(?:\.partial)?$/;

/**
 * `wit shards build`: reads every pair, decides its fate (`curatePairs`),
 * writes the kept ones as WebDataset shards, records every decision in
 * `curation`, and writes `sizes.json` and, last, `manifest.json`. The output
 * folder holds one build: shards, partial files and manifests of an earlier
 * build there are removed before writing (nothing else is touched), so a build stopped
 * at any point is simply run again. The same db, images and options give
 * byte-identical shards.
 */
export async function buildShards(db: WitDb, options: BuildShardsOptions): Promise<BuildShardsResult> {
  const curate = resolveCurateOptions(options);
  const shardSize = options.shardSize ?? defaultShardSize;
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
  clearOutput(options.outDir);
  const { shards, records } = writeSamples(pairs, curated, {
    imagesDir: options.imagesDir,
    outDir: options.outDir,
    shardSize,
    progress: progress('write', 'samples'),
  });
  const config = {
    ...curate,
    blockWords: curate.blockWords.length,
    blockHosts: curate.blockHosts.length,
    shardSize,
    excludeNear: options.excludeNearDir ? { images: context.reference?.size ?? 0 } : null,
  };
  withPhase(progress, 'record', 'pairs', () => replaceCuration(db, records, config));
  const dropped = new ReasonCounter();
  for (const record of records) if (record.reason) dropped.add(record.reason);
  const manifest = writeShardIndex(options.outDir, shards, { dropped: dropped.toJSON(), config });
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

function checkFolders(options: BuildShardsOptions): void {
  const isFolder = (path: string) => existsSync(path) && statSync(path).isDirectory();
  if (!isFolder(options.imagesDir)) throw new WitError(`--images ${options.imagesDir} is not a folder: give the image store that \`wit fetch\` wrote.`);
  if (options.excludeNearDir && !isFolder(options.excludeNearDir)) {
    throw new WitError(`--exclude-near ${options.excludeNearDir} is not a folder: give a folder of evaluation images.`);
  }
  if (existsSync(options.outDir) && !statSync(options.outDir).isDirectory()) throw new WitError(`--out ${options.outDir} is a file; give a folder for the shards.`);
  mkdirSync(options.outDir, { recursive: true });
}

function clearOutput(outDir: string): void {
  for (const name of readdirSync(outDir)) if (builtFile.test(name)) rmSync(join(outDir, name), { force: true });
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
