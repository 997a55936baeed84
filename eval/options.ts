import { choice, decimal, optionTable, path, seedOption, text, wholeNumber } from '../core/index.js';
import { openRunOptions } from '../train/options.js';
import type { ShardSplit } from '../webdataset/index.js';

// Every option of `wit eval` and `wit classify`, declared once: the library's
// defaults and checks, the flags and their --help come from here.

/** The run folder `wit train` wrote; an eval's record goes to its `evals.jsonl`. */
const runDir = path({
  flag: 'run',
  required: true,
  describe: 'The run folder `wit train` wrote (the result is appended to its evals.jsonl)',
});
/** The tfjs backend the model is loaded on (`openRun`'s own option). */
const backend = { ...openRunOptions.entries.backend, describe: 'tfjs backend to embed on; auto picks the fastest that loads' };
/** Images embedded per batch. */
const batchSize = wholeNumber({ flag: 'batch', least: 1, most: 65_536, default: 256, describe: 'Images embedded per batch' });
/** One class name per line, in class order; unset: folder names (or labels) with underscores as spaces. */
const classNamesFile = path({
  flag: 'classnames',
  describe: 'Class names, one per line in sorted class order (default: folder names, underscores as spaces)',
});
/** Prompt templates, one per line with `{}`; unset: CLIP's "a photo of a {}." */
const templatesFile = path({
  flag: 'templates',
  describe: 'Prompt templates, one per line with {} for the class (default: "a photo of a {}.")',
});

export const zeroShotOptions = optionTable('ZeroShotOptions', { runDir, backend, batchSize, classNamesFile, templatesFile });

/** Where an eval's labelled images are: give one of the two. */
export const labelledImageOptions = optionTable('LabelledImageSource', {
  /** A folder with a sub-folder of images per class. */
  imagesDir: path({ flag: 'images', describe: 'Image folder: one sub-folder of images per class' }),
  /** A CSV (path,label) or JSONL ({"path","label"}) list; paths relative to the file. */
  listFile: path({ flag: 'list', describe: 'CSV (path,label) or JSONL ({"path","label"}) list of images; paths relative to the file' }),
});

export const linearProbeOptions = optionTable('LinearProbeOptions', {
  runDir,
  backend,
  batchSize,
  classNamesFile,
  templatesFile,
  /** Fraction of each class held out as the test set. */
  testFraction: decimal({
    flag: 'test-fraction',
    above: 0,
    below: 1,
    default: 0.3,
    describe: 'Fraction of each class held out as the test set',
  }),
  /** Seeds the test split and the validation slice. */
  seed: seedOption({ flag: 'seed', describe: 'Seeds the test split and the validation slice' }),
});

export const retrievalOptions = optionTable('RetrievalOptions', {
  runDir,
  backend,
  batchSize,
  /** The folder `wit shards build` wrote. */
  shardsDir: path({ flag: 'shards', required: true, describe: 'The shard folder `wit shards build` wrote' }),
  /** Which split's pairs to rank. */
  split: choice({
    flag: 'split',
    choices: ['val', 'train'] as const satisfies readonly ShardSplit[],
    default: 'val',
    describe: 'Which split to rank',
  }),
});

export const classifyOptions = optionTable('ClassifyOptions', {
  runDir: { ...runDir, describe: 'The run folder `wit train` wrote' },
  backend,
  batchSize,
  /** Labels reported per image, best first. */
  top: wholeNumber({ flag: 'top', least: 1, most: 10_000, default: 5, describe: 'Labels shown per image' }),
});

/** The CLI's forms of `classifyImages`' labels and templates: given inline or read from files. */
export const classifyLabelOptions = optionTable('ClassifyLabels', {
  list: text({ flag: 'labels', describe: 'Candidate labels, comma-separated: "dog,cat,car"' }),
  file: path({ flag: 'labels-file', describe: 'Candidate labels, one per line' }),
  templatesFile: { ...templatesFile, describe: 'Prompt templates, one per line with {} for the label (default: "a photo of a {}.")' },
});
