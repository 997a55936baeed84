import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecallAtK } from './recall.js';
import type { RetrievalExample } from './retrieval-examples.js';
import type { ZeroShotExample } from './zero-shot-examples.js';

/**
 * The files evaluation writes into a run folder. Their keys are a stable
 * interface: `wit report` and the demo read them.
 *
 * - `evals.jsonl`: one `EvalRecord` per line, appended by every eval.
 * - `zeroshot-confusion-<time>.json`: a `ConfusionFile` per zero-shot eval,
 *   named by the record's `files.confusion`.
 * - `retrieval-examples-<time>.json`: a `RetrievalExamplesFile` per retrieval
 *   eval, named by the record's `files.examples`.
 */
export const evalsFileName = 'evals.jsonl';

export type EvalRecord = ZeroShotRecord | RetrievalRecord | LinearProbeRecord;

interface RecordBase {
  /** When the eval finished, ISO 8601 UTC. */
  time: string;
  /** The command line that ran it (`wit eval zeroshot --run … --images …`). */
  command: string;
  /** The data evaluated: the image folder, list file or shard folder, as given. */
  data: string;
  /** Inputs that did not decode and were left out of the figures. */
  skipped: number;
}

export interface ZeroShotRecord extends RecordBase {
  kind: 'zeroshot';
  figures: ZeroShotFigures;
  /** Files written beside, relative to the run folder. */
  files: { confusion: string };
}

export interface ZeroShotFigures {
  images: number;
  classes: number;
  /** Prompt templates in the ensemble. */
  templates: number;
  /** Fractions in [0, 1]. */
  top1: number;
  top5: number;
  meanPerClassAccuracy: number;
  /** In class order; accuracy null for a class with no images. */
  perClass: Array<{ name: string; images: number; accuracy: number | null }>;
  /** Class names with no word in the vocabulary (their prompts carry only the template's words). */
  classesWithoutKnownWords: string[];
}

export interface RetrievalRecord extends RecordBase {
  kind: 'retrieval';
  figures: RetrievalFigures;
  /** Files written beside, relative to the run folder (absent in records of older runs). */
  files?: { examples: string };
}

export interface RetrievalFigures {
  split: string;
  /** Pairs ranked against each other (the whole split). */
  pairs: number;
  /** Recall at 1, 5, 10, fractions in [0, 1]. */
  recall: RecallAtK[];
}

export interface LinearProbeRecord extends RecordBase {
  kind: 'linear-probe';
  figures: LinearProbeFigures;
}

export interface LinearProbeFigures {
  classes: number;
  trainImages: number;
  testImages: number;
  /** Fraction of each class held out as the test set. */
  testFraction: number;
  seed: number;
  /** The chosen L2 strength, and validation accuracy at each one tried. */
  l2: number;
  sweep: Array<{ l2: number; validationAccuracy: number }>;
  /** Top-1 accuracy on the test images: the probe, and zero-shot on the same images. */
  linearProbeTop1: number;
  zeroShotTop1: number;
}

/**
 * The zero-shot confusion matrix: `matrix[true][predicted]` image counts, rows
 * and columns in `classNames` order; and a few images it classified, right
 * and wrong (absent in files of older runs).
 */
export interface ConfusionFile {
  time: string;
  data: string;
  classNames: string[];
  matrix: number[][];
  examples?: ZeroShotExample[];
}

/** A few captions of a retrieval eval with the images they ranked first. */
export interface RetrievalExamplesFile {
  time: string;
  /** The shard folder ranked (absolute); samples are named `<shard file>:<sample key>` in it. */
  shardsDir: string;
  split: string;
  examples: RetrievalExample[];
}

/** Appends one record to `<runDir>/evals.jsonl`. */
export function appendEvalRecord(runDir: string, record: EvalRecord): void {
  appendFileSync(join(runDir, evalsFileName), `${JSON.stringify(record)}\n`);
}

/** Writes the confusion matrix next to the run's files; returns its name relative to the run folder. */
export function writeConfusionFile(runDir: string, confusion: ConfusionFile): string {
  return writeTimedFile(runDir, 'zeroshot-confusion', confusion.time, confusion);
}

/** Writes the retrieval examples next to the run's files; returns their name relative to the run folder. */
export function writeRetrievalExamplesFile(runDir: string, file: RetrievalExamplesFile): string {
  return writeTimedFile(runDir, 'retrieval-examples', file.time, file);
}

function writeTimedFile(runDir: string, prefix: string, time: string, content: object): string {
  const name = `${prefix}-${time.replace(/[-:.]/g, '')}.json`;
  const path = join(runDir, name);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(content)}\n`);
  renameSync(`${path}.tmp`, path);
  return name;
}

/**
 * Every record of `<runDir>/evals.jsonl`, oldest first; none when the file is
 * absent. A line cut short (the process was killed mid-append) is left out.
 */
export function readEvalRecords(runDir: string): EvalRecord[] {
  const path = join(runDir, evalsFileName);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line.trim() === '' ? [] : [JSON.parse(line) as EvalRecord];
      } catch {
        return [];
      }
    });
}
