import type { Argv, CommandModule } from 'yargs';
import { dbOption, jsonOption, printSummary } from './options.js';

interface BuildArgs {
  db: string;
  images: string;
  out: string;
  'max-caption-words': number;
  'min-side': number;
  'max-aspect-ratio': number;
  languages: string[];
  'block-words'?: string;
  'block-hosts'?: string;
  'near-dup': number;
  'captions-per-image': number;
  'exclude-near'?: string;
  cap: number;
  balance: string;
  seed: number;
  'val-fraction': number;
  'shard-size': number;
  json: boolean;
  'min-shards': number;
}

const integerFlags: Array<[keyof BuildArgs, number, number]> = [
  ['max-caption-words', 2, Number.MAX_SAFE_INTEGER],
  ['min-side', 1, Number.MAX_SAFE_INTEGER],
  ['near-dup', 0, 10],
  ['captions-per-image', 1, Number.MAX_SAFE_INTEGER],
  ['cap', 1, Number.MAX_SAFE_INTEGER],
  ['seed', 0, 2 ** 32 - 1],
  ['shard-size', 1, 1_000_000],
  ['min-shards', 1, 1_000_000],
];

const build: CommandModule<object, BuildArgs> = {
  command: 'build',
  describe: 'Filter, dedupe (exact, near-duplicate, evaluation overlap), balance and split the pairs; write WebDataset shards',
  builder: (y) =>
    jsonOption(dbOption(y))
      .option('images', { type: 'string', default: 'images', normalize: true, describe: 'The image store `wit fetch` wrote (images.path is relative to it)' })
      .option('out', { type: 'string', default: 'shards', normalize: true, describe: 'Folder for train-*.tar, val-*.tar, sizes.json, manifest.json' })
      .option('max-caption-words', { type: 'number', default: 77, describe: 'Drop captions with more words' })
      .option('min-side', { type: 'number', default: 64, describe: "Drop images whose original shorter side is below this many pixels" })
      .option('max-aspect-ratio', { type: 'number', default: 3, describe: 'Drop images whose longer side exceeds this times the shorter' })
      .option('languages', { type: 'string', array: true, default: [], describe: 'Keep captions in these ISO 639-1 languages (e.g. en fr); detector: eld. Off when empty' })
      .option('block-words', { type: 'string', normalize: true, describe: 'File of words/phrases, one a line: captions containing one are dropped' })
      .option('block-hosts', { type: 'string', normalize: true, describe: 'File of hosts, one a line: pairs whose image or page is on one (or a subdomain) are dropped' })
      .option('near-dup', { type: 'number', default: 4, describe: 'Max Hamming distance of 64-bit pHashes for near-duplicate images (0..10)' })
      .option('captions-per-image', { type: 'number', default: 1, describe: 'Distinct captions kept per near-duplicate cluster' })
      .option('exclude-near', { type: 'string', normalize: true, describe: 'Folder of evaluation images: drop pairs whose image is a near duplicate of one' })
      .option('cap', { type: 'number', default: 20_000, describe: 'Pairs kept per query after dedupe' })
      .option('balance', { type: 'string', choices: ['cap', 'sample'], default: 'cap', describe: "cap: keep exactly --cap (seeded); sample: MetaCLIP's keep-with-probability cap/n" })
      .option('seed', { type: 'number', default: 0, describe: 'Seed of balancing and of the sample order in shards' })
      .option('val-fraction', { type: 'number', default: 0.01, describe: 'Share of near-duplicate clusters put in val' })
      .option('shard-size', { type: 'number', default: 10_000, describe: 'Most samples per shard; shards of a split differ by at most one sample' })
      .option('min-shards', { type: 'number', default: 16, describe: 'Fewest shards per split (when it has that many samples): open_clip needs one train shard per loader worker, --workers x GPUs' })
      .check(async (argv) => {
        const problem = flagProblem(argv) ?? (await languageProblem(argv.languages));
        if (!problem) return true;
        // A WitError, so that the CLI prints the message alone (exit 2), not a stack trace.
        const { WitError } = await import('../../core/index.js');
        throw new WitError(`${problem}. Run \`wit shards build --help\` for the options.`, { exitCode: 2 });
      }),
  handler: async (argv) => {
    const { openDbAsWriter } = await import('../../db/index.js');
    const { ProgressLine } = await import('../../core/index.js');
    const { buildShards, formatBuildSummary } = await import('../../curate/index.js');
    const blockWords = await readListFlag('block-words', argv['block-words']);
    const blockHosts = await readListFlag('block-hosts', argv['block-hosts']);
    const { db, close } = openDbAsWriter(argv.db, 'shards build');
    try {
      const result = await buildShards(db, {
        imagesDir: argv.images,
        outDir: argv.out,
        maxCaptionWords: argv['max-caption-words'],
        minSidePixels: argv['min-side'],
        maxAspectRatio: argv['max-aspect-ratio'],
        languages: languageCodes(argv.languages),
        blockWords,
        blockHosts,
        nearDupDistance: argv['near-dup'],
        captionsPerImage: argv['captions-per-image'],
        excludeNearDir: argv['exclude-near'],
        capPerQuery: argv.cap,
        balance: argv.balance as 'cap' | 'sample',
        seed: argv.seed,
        valFraction: argv['val-fraction'],
        shardSize: argv['shard-size'],
        minShards: argv['min-shards'],
        progress: (phase, unit) => new ProgressLine({ label: `shards ${phase}`, unit }),
      });
      printSummary(argv.json, { ...result, outDir: argv.out }, (built) => formatBuildSummary(built, built.outDir));
    } finally {
      close();
    }
  },
};

/** `--languages en fr`, `--languages en,fr` or repeated: lower-case codes. */
function languageCodes(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(',')).map((code) => code.trim().toLowerCase()).filter((code) => code !== '');
}

function flagProblem(argv: BuildArgs): string | undefined {
  for (const [flag, min, max] of integerFlags) {
    const value = argv[flag] as number;
    if (!(Number.isInteger(value) && value >= min && value <= max)) return `--${flag} must be a whole number in ${min}..${max}, got ${value}`;
  }
  if (!(argv['max-aspect-ratio'] >= 1)) return `--max-aspect-ratio must be a number >= 1, got ${argv['max-aspect-ratio']}`;
  const fraction = argv['val-fraction'];
  if (!(fraction >= 0 && fraction <= 1)) return `--val-fraction must be a number in 0..1, got ${fraction}`;
  for (const code of languageCodes(argv.languages)) if (!/^[a-z]{2}$/.test(code)) return `--languages takes ISO 639-1 codes like en or fr, got ${code}`;
  return undefined;
}

/** A code eld cannot name would drop every caption. */
async function languageProblem(values: readonly string[]): Promise<string | undefined> {
  const codes = languageCodes(values);
  if (codes.length === 0) return undefined;
  const { detectableLanguages } = await import('../../curate/index.js');
  const known = await detectableLanguages();
  const unknown = codes.find((code) => !known.includes(code));
  return unknown === undefined ? undefined : `--languages ${unknown} is not a language the detector (eld) knows; it knows ${known.join(' ')}`;
}

async function readListFlag(flag: string, path: string | undefined): Promise<string[]> {
  if (!path) return [];
  const { readFile } = await import('node:fs/promises');
  const { WitError } = await import('../../core/index.js');
  const { parseListFile } = await import('../../curate/index.js');
  try {
    return parseListFile(await readFile(path, 'utf8'));
  } catch (error) {
    throw new WitError(`--${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a text file, one entry a line.`);
  }
}

export const shardsCommand: CommandModule = {
  command: 'shards',
  describe: 'Filter, dedupe, balance the pairs and write WebDataset shards',
  builder: (y: Argv) => y.command(build).demandCommand(1, 'Name a shards command: build'),
  handler: () => undefined,
};
