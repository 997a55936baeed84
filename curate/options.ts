import {
  choice,
  decimal,
  optionTable,
  path,
  resolveOptions,
  seedOption,
  texts,
  wholeNumber,
  type GivenOptions,
  type ProgressSink,
  type ResolvedOptions,
} from '../core/index.js';
import { crawlOptions } from '../crawler/options.js';
import { imageStoreOptions } from '../fetch/options.js';

/** How `buildShards` reports one phase: a progress sink and a way to end its line (`ProgressLine` fits). */
export interface PhaseProgress {
  update: ProgressSink;
  finish(): void;
}

export type BuildPhase = 'load' | 'eval_images' | 'filter' | 'decontaminate' | 'dedupe' | 'balance' | 'write' | 'record';

/** ISO 639-1 codes as typed: `--languages en fr`, `--languages en,fr` or repeated, any case. */
function languageCodes(typed: readonly string[]): string[] {
  return typed
    .flatMap((value) => value.split(','))
    .map((code) => code.trim().toLowerCase())
    .filter((code) => code !== '');
}

/** The filter, dedupe, balance and split settings: what decides each pair's fate. Declared once, here. */
export const curateOptions = optionTable('CurateOptions', {
  /** Captions with more words (as `tokenize` counts them) are dropped (`caption_too_long`). */
  maxCaptionWords: wholeNumber({ flag: 'max-caption-words', least: 2, default: 77, describe: 'Drop captions with more words' }),
  /** Images whose original shorter side is below this are dropped (`image_too_small`). */
  minSidePixels: wholeNumber({
    flag: 'min-side',
    least: 1,
    default: 64,
    describe: 'Drop images whose original shorter side is below this many pixels',
  }),
  /** Images whose longer side exceeds this times the shorter one are dropped (`aspect_ratio`). */
  maxAspectRatio: decimal({
    flag: 'max-aspect-ratio',
    least: 1,
    default: 3,
    describe: 'Drop images whose longer side exceeds this times the shorter',
  }),
  /**
   * ISO 639-1 codes to keep (e.g. `['en']`); a caption that eld assigns to
   * another language is dropped (`language`), one it cannot place is kept.
   * Empty: no language filter.
   */
  languages: texts({
    flag: 'languages',
    default: [],
    parse: languageCodes,
    rule: 'ISO 639-1 codes like en or fr',
    each: (code) => /^[a-z]{2}$/i.test(code),
    describe: 'Keep captions in these ISO 639-1 languages (e.g. en fr); detector: eld. Off when empty',
  }),
  /** Words and phrases: a caption containing one (as whole tokens) is dropped (`blocked_word`). The CLI reads them from a file. */
  blockWords: texts({
    flag: 'block-words',
    default: [],
    describe: 'File of words/phrases, one a line: captions containing one are dropped',
  }),
  /** Hosts: a pair whose image or page is on one of them or a subdomain is dropped (`blocked_host`). The CLI reads them from a file. */
  blockHosts: texts({
    flag: 'block-hosts',
    default: [],
    describe: 'File of hosts, one a line: pairs whose image or page is on one (or a subdomain) are dropped',
  }),
  /** Largest Hamming distance between 64-bit pHashes for two images to be near duplicates (0: identical hashes only). */
  nearDupDistance: wholeNumber({
    flag: 'near-dup',
    least: 0,
    most: 10,
    default: 4,
    describe: 'Max Hamming distance of 64-bit pHashes for near-duplicate images',
  }),
  /** Distinct captions kept per near-duplicate cluster. */
  captionsPerImage: wholeNumber({
    flag: 'captions-per-image',
    least: 1,
    default: 1,
    describe: 'Distinct captions kept per near-duplicate cluster',
  }),
  /** Pairs kept per query after dedupe; by default the crawl's own cap. */
  capPerQuery: wholeNumber({
    flag: 'cap',
    least: 1,
    default: crawlOptions.entries.cap.default,
    describe: 'Pairs kept per query after dedupe',
  }),
  /**
   * `cap`: a query with more than `capPerQuery` pairs keeps exactly that many,
   * chosen by a seeded hash of the pair id. `sample`: MetaCLIP's rule, each of
   * its n pairs is kept with probability capPerQuery / n (seeded).
   */
  balance: choice({
    flag: 'balance',
    choices: ['cap', 'sample'],
    default: 'cap',
    describe: "cap: keep exactly --cap (seeded); sample: MetaCLIP's keep-with-probability cap/n",
  }),
  /** Share of near-duplicate clusters that go to `val`. */
  valFraction: decimal({ flag: 'val-fraction', least: 0, most: 1, default: 0.01, describe: 'Share of near-duplicate clusters put in val' }),
  /** Seed of balancing and of the sample order inside shards. */
  seed: seedOption({ flag: 'seed', describe: 'Seed of balancing and of the sample order in shards' }),
});

/** How the kept samples are cut into shards. */
export const shardOptions = optionTable('BuildShardsOptions', {
  /** Most samples per shard: a split is cut into as few shards as this allows (but at least `minShards`), all of sizes that differ by at most one. */
  shardSize: wholeNumber({
    flag: 'shard-size',
    least: 1,
    most: 1_000_000,
    default: 10_000,
    describe: 'Most samples per shard; shards of a split differ by at most one sample',
  }),
  /**
   * Fewest shards per split when it has that many samples: open_clip needs
   * at least one train shard per loader worker (workers x GPUs), and even
   * shards so that each epoch sees every sample once.
   */
  minShards: wholeNumber({
    flag: 'min-shards',
    least: 1,
    most: 1_000_000,
    default: 16,
    describe:
      'Fewest shards per split (when it has that many samples): open_clip needs one train shard per loader worker, --workers x GPUs',
  }),
});

/** The folders `wit shards build` reads and writes, and the files its block lists are read from. */
export const shardsBuildPaths = optionTable('ShardsBuildPaths', {
  imagesDir: { ...imageStoreOptions.entries.imagesDir, describe: 'The image store `wit fetch` wrote (images.path is relative to it)' },
  outDir: path({ flag: 'out', default: 'shards', describe: 'Folder for train-*.tar, val-*.tar, sizes.json, manifest.json' }),
  excludeNearDir: path({
    flag: 'exclude-near',
    describe: 'Folder of evaluation images: drop pairs whose image is a near duplicate of one',
  }),
  blockWordsFile: path({ flag: curateOptions.entries.blockWords.flag, describe: curateOptions.entries.blockWords.describe }),
  blockHostsFile: path({ flag: curateOptions.entries.blockHosts.flag, describe: curateOptions.entries.blockHosts.describe }),
});

export type CurateOptions = GivenOptions<typeof curateOptions.entries>;

export interface BuildShardsOptions extends CurateOptions, GivenOptions<typeof shardOptions.entries> {
  /** The image store: `images.path` is relative to it. */
  imagesDir: string;
  /** Folder for the shards, `sizes.json` and `manifest.json`; created if missing. */
  outDir: string;
  /**
   * Folder of evaluation images: every pair whose image is a near duplicate
   * (within `nearDupDistance`) of one of them is dropped (`eval_near_duplicate`).
   */
  excludeNearDir?: string;
  /** Called when a phase starts; the returned progress gets updates and is finished when the phase ends. */
  progress?: (phase: BuildPhase, unit: string) => PhaseProgress;
}

export type ResolvedCurateOptions = ResolvedOptions<typeof curateOptions.entries>;

/** Defaults filled in and every value checked; a bad one is the option error naming the flag and the option. */
export function resolveCurateOptions(options: CurateOptions): ResolvedCurateOptions {
  return resolveOptions(curateOptions, options);
}
