import type { ProgressSink } from '../core/index.js';

/** How `buildShards` reports one phase: a progress sink and a way to end its line (`ProgressLine` fits). */
export interface PhaseProgress {
  update: ProgressSink;
  finish(): void;
}

export type BuildPhase = 'load' | 'eval_images' | 'filter' | 'decontaminate' | 'dedupe' | 'balance' | 'write' | 'record';

/** The filter, dedupe, balance and split settings: what decides each pair's fate. */
export interface CurateOptions {
  /**
   * Captions with more words (as `tokenize` counts them) are dropped (`caption_too_long`).
   * @default 77
   */
  maxCaptionWords?: number;
  /**
   * Images whose original shorter side is below this are dropped (`image_too_small`).
   * @default 64
   */
  minSidePixels?: number;
  /**
   * Images whose longer side exceeds this times the shorter one are dropped (`aspect_ratio`).
   * @default 3
   */
  maxAspectRatio?: number;
  /**
   * ISO 639-1 codes to keep (e.g. `['en']`); a caption that eld assigns to
   * another language is dropped (`language`), one it cannot place is kept.
   * Empty: no language filter.
   * @default []
   */
  languages?: string[];
  /** Words and phrases: a caption containing one (as whole tokens) is dropped (`blocked_word`). @default [] */
  blockWords?: string[];
  /** Hosts: a pair whose image or page is on one of them or a subdomain is dropped (`blocked_host`). @default [] */
  blockHosts?: string[];
  /**
   * Largest Hamming distance between 64-bit pHashes for two images to be near
   * duplicates (0: identical hashes only; at most 10).
   * @default 4
   */
  nearDupDistance?: number;
  /**
   * Distinct captions kept per near-duplicate cluster.
   * @default 1
   */
  captionsPerImage?: number;
  /**
   * Pairs kept per query after dedupe.
   * @default 20000
   */
  capPerQuery?: number;
  /**
   * `cap`: a query with more than `capPerQuery` pairs keeps exactly that many,
   * chosen by a seeded hash of the pair id. `sample`: MetaCLIP's rule, each of
   * its n pairs is kept with probability capPerQuery / n (seeded).
   * @default 'cap'
   */
  balance?: 'cap' | 'sample';
  /**
   * Share of near-duplicate clusters that go to `val`.
   * @default 0.01
   */
  valFraction?: number;
  /**
   * Seed of balancing and of the sample order inside shards.
   * @default 0
   */
  seed?: number;
}

export interface BuildShardsOptions extends CurateOptions {
  /** The image store: `images.path` is relative to it. */
  imagesDir: string;
  /** Folder for the shards, `sizes.json` and `manifest.json`; created if missing. */
  outDir: string;
  /**
   * Folder of evaluation images: every pair whose image is a near duplicate
   * (within `nearDupDistance`) of one of them is dropped (`eval_near_duplicate`).
   */
  excludeNearDir?: string;
  /**
   * Most samples per shard: a split is cut into as few shards as this allows
   * (but at least `minShards`), all of sizes that differ by at most one.
   * @default 10000
   */
  shardSize?: number;
  /**
   * Fewest shards per split when it has that many samples: open_clip needs
   * at least one train shard per loader worker (workers x GPUs), and even
   * shards so that each epoch sees every sample once.
   * @default 16
   */
  minShards?: number;
  /** Called when a phase starts; the returned progress gets updates and is finished when the phase ends. */
  progress?: (phase: BuildPhase, unit: string) => PhaseProgress;
}

export type ResolvedCurateOptions = Required<CurateOptions>;

export const curateDefaults: ResolvedCurateOptions = {
  maxCaptionWords: 77,
  minSidePixels: 64,
  maxAspectRatio: 3,
  languages: [],
  blockWords: [],
  blockHosts: [],
  nearDupDistance: 4,
  captionsPerImage: 1,
  capPerQuery: 20_000,
  balance: 'cap',
  valFraction: 0.01,
  seed: 0,
};

export const defaultShardSize = 10_000;
export const defaultMinShards = 16;
export const maxNearDupDistance = 10;

/** Defaults filled in and every value checked; a bad one is a RangeError naming the option. */
export function resolveCurateOptions(options: CurateOptions): ResolvedCurateOptions {
  const resolved: ResolvedCurateOptions = { ...curateDefaults };
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && name in curateDefaults) (resolved as unknown as Record<string, unknown>)[name] = value;
  }
  checkInteger('maxCaptionWords', resolved.maxCaptionWords, 2, Number.MAX_SAFE_INTEGER);
  checkInteger('minSidePixels', resolved.minSidePixels, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('nearDupDistance', resolved.nearDupDistance, 0, maxNearDupDistance);
  checkInteger('captionsPerImage', resolved.captionsPerImage, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('capPerQuery', resolved.capPerQuery, 1, Number.MAX_SAFE_INTEGER);
  checkInteger('seed', resolved.seed, 0, 2 ** 32 - 1);
  if (!(resolved.maxAspectRatio >= 1)) throw new RangeError(`CurateOptions.maxAspectRatio must be >= 1, got ${resolved.maxAspectRatio}`);
  if (!(resolved.valFraction >= 0 && resolved.valFraction <= 1)) throw new RangeError(`CurateOptions.valFraction must be in [0, 1], got ${resolved.valFraction}`);
  if (resolved.balance !== 'cap' && resolved.balance !== 'sample') throw new RangeError(`CurateOptions.balance must be cap or sample, got ${String(resolved.balance)}`);
  return resolved;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`CurateOptions.${name} must be an integer in ${min}..${max}, got ${value}`);
  }
}
