import type { CurationCandidate } from '../db/index.js';
import { normalizeText } from '../queries/index.js';
import { balancePerQuery } from './balance.js';
import { filterDropReason, makePairFilters } from './filter-pairs.js';
import { parseHash64 } from './hash64.js';
import { clusterImages } from './image-clusters.js';
import type { LanguageCheck } from './language-filter.js';
import type { NearDupStats } from './near-dup-clusters.js';
import type { BuildPhase, PhaseProgress, ResolvedCurateOptions } from './options.js';
import type { ReferenceHashes } from './reference-hashes.js';
import { hashWords, hexPrefix32, uniformOf } from './seeded-hash.js';
import { selectCaptions } from './select-captions.js';

/** Inputs of `curatePairs` that are loaded before it runs. */
export interface CurateContext {
  languageCheck?: LanguageCheck;
  /** Evaluation-set hashes: pairs whose image is near one are dropped (`eval_near_duplicate`). */
  reference?: ReferenceHashes;
  progress?: (phase: BuildPhase, unit: string) => PhaseProgress;
}

/** Every pair's fate, by row of the input. */
export interface CuratedPairs {
  /** Per row: why it was dropped, or undefined when kept. */
  dropReason: Array<string | undefined>;
  /** Kept rows of each split, in the order they go into shards. */
  train: number[];
  val: number[];
  /** Per row: the row whose image file a kept pair is written with (its cluster's representative); -1 otherwise. */
  imageRow: Int32Array;
  /** Near-duplicate clusters among the images that passed the filters. */
  clusters: number;
  nearDup: NearDupStats;
}

/** Salt of the train/val split: fixed, so that `--seed` reshuffles balancing and order but never moves a cluster between splits. */
const splitSalt = 0x5b117;

/**
 * The curation decisions, from pairs to splits, with no I/O: filters (in
 * `filterReasons` order), decontamination, exact and near-duplicate dedupe,
 * per-query balance, then a train/val split by a hash of the cluster's
 * representative image, so near duplicates never straddle the splits. Shard
 * order inside each split is a seeded shuffle of the pair ids.
 */
export function curatePairs(
  pairs: readonly CurationCandidate[],
  options: ResolvedCurateOptions,
  context: CurateContext = {},
): CuratedPairs {
  const dropReason: Array<string | undefined> = new Array(pairs.length).fill(undefined);
  const normalized = runPhase(context, 'filter', 'pairs', pairs.length, (tick) => filterAll(pairs, options, context, dropReason, tick));
  if (context.reference) {
    const reference = context.reference;
    runPhase(context, 'decontaminate', 'pairs', pairs.length, (tick) => decontaminate(pairs, reference, dropReason, tick));
  }
  const clusters = runPhase(context, 'dedupe', 'pairs', pairs.length, (tick) => {
    const found = clusterImages(pairs, (row) => dropReason[row] === undefined, options.nearDupDistance);
    tick(pairs.length / 2);
    selectCaptions(pairs, normalized, found, options.captionsPerImage, dropReason);
    tick(pairs.length);
    return found;
  });
  const imageRow = new Int32Array(pairs.length).fill(-1);
  const splits = runPhase(context, 'balance', 'pairs', pairs.length, (tick) => {
    const kept = keptRows(dropReason);
    // A pair with no query (a URL list's, kept with --keep-unmatched) is not balanced: there is no query to balance it against.
    const withQuery = kept.filter((row) => pairs[row]!.queryId !== null);
    const capped = balancePerQuery(
      withQuery,
      (row) => pairs[row]!.queryId!,
      (row) => pairs[row]!.pairId,
      options.capPerQuery,
      options.balance,
      options.seed,
    );
    for (const row of capped) dropReason[row] = 'query_cap';
    const split = splitRows(pairs, keptRows(dropReason), clusters, options, imageRow);
    tick(pairs.length);
    return split;
  });
  return { dropReason, ...splits, imageRow, clusters: clusters.clusters, nearDup: clusters.stats };
}

function filterAll(
  pairs: readonly CurationCandidate[],
  options: ResolvedCurateOptions,
  context: CurateContext,
  dropReason: Array<string | undefined>,
  tick: (done: number) => void,
): Array<string | undefined> {
  const filters = makePairFilters(options, context.languageCheck);
  const normalized: Array<string | undefined> = new Array(pairs.length).fill(undefined);
  pairs.forEach((pair, row) => {
    const text = normalizeText(pair.text);
    const reason = filterDropReason(pair, text, options, filters);
    if (reason) dropReason[row] = reason;
    else normalized[row] = text;
    if (row % 10_000 === 0) tick(row);
  });
  return normalized;
}

function decontaminate(
  pairs: readonly CurationCandidate[],
  reference: ReferenceHashes,
  dropReason: Array<string | undefined>,
  tick: (done: number) => void,
): void {
  const verdict = new Map<string, boolean>();
  pairs.forEach((pair, row) => {
    if (dropReason[row] !== undefined) return;
    let near = verdict.get(pair.sha256!);
    if (near === undefined) {
      const hash = parseHash64(pair.phash);
      near = hash !== undefined && reference.hasNear(hash.hi, hash.lo);
      verdict.set(pair.sha256!, near);
    }
    if (near) dropReason[row] = 'eval_near_duplicate';
    if (row % 10_000 === 0) tick(row);
  });
}

function splitRows(
  pairs: readonly CurationCandidate[],
  kept: readonly number[],
  clusters: ReturnType<typeof clusterImages>,
  options: ResolvedCurateOptions,
  imageRow: Int32Array,
): { train: number[]; val: number[] } {
  const train: number[] = [];
  const val: number[] = [];
  for (const row of kept) {
    const representativeRow = clusters.rowOfImage[clusters.representativeOf[clusters.imageOfRow[row]!]!]!;
    imageRow[row] = representativeRow;
    const sha = pairs[representativeRow]!.sha256!;
    const isVal = uniformOf(splitSalt, hexPrefix32(sha), hexPrefix32(sha.slice(8))) < options.valFraction;
    (isVal ? val : train).push(row);
  }
  return { train: shuffleOrder(pairs, train, options.seed), val: shuffleOrder(pairs, val, options.seed) };
}

/** Rows sorted by a seeded hash of their pair id: a shuffle that is the same on every run. */
function shuffleOrder(pairs: readonly CurationCandidate[], rows: number[], seed: number): number[] {
  const rank = new Uint32Array(pairs.length);
  for (const row of rows) rank[row] = hashWords(seed, pairs[row]!.pairId);
  return rows.sort((a, b) => rank[a]! - rank[b]! || pairs[a]!.pairId - pairs[b]!.pairId);
}

function keptRows(dropReason: ReadonlyArray<string | undefined>): number[] {
  const rows: number[] = [];
  dropReason.forEach((reason, row) => {
    if (reason === undefined) rows.push(row);
  });
  return rows;
}

/** Runs one phase with its progress line; a phase that ends has done all its pairs, whatever its last tick said. */
function runPhase<T>(context: CurateContext, phase: BuildPhase, unit: string, total: number, work: (tick: (done: number) => void) => T): T {
  const progress = context.progress?.(phase, unit);
  try {
    const result = work((done) => progress?.update({ done, total }));
    progress?.update({ done: total, total });
    return result;
  } finally {
    progress?.finish();
  }
}
