import { resolveOptions, type GivenOptions, type ProgressSink, type ResolvedOptions } from '../core/index.js';
import { embedImageFiles, type SkippedImage } from './embed-images.js';
import type { EvalModel } from './eval-model.js';
import { appendEvalRecord, writeConfusionFile, type ConfusionFile, type ZeroShotRecord } from './evals-log.js';
import { loadLabelledImages, type LabelledImageSource } from './labelled-images.js';
import { withEvalModel } from './open-eval-model.js';
import { zeroShotOptions } from './options.js';
import { defaultTemplates, readTemplates } from './prompts.js';
import { buildZeroShotClassifier, unknownClassWarning } from './zero-shot-classifier.js';
import { zeroShotExamples } from './zero-shot-examples.js';
import { classificationMetrics, classSimilarities } from './zero-shot-math.js';

/** The declared options (options.ts, the stage's own), the images and the hooks. */
export interface ZeroShotOptions extends GivenOptions<typeof zeroShotOptions.entries> {
  runDir: string;
  /** A folder with a sub-folder per class, or a CSV/JSONL list of path,label. */
  source: LabelledImageSource;
  /**
   * The command line recorded in `evals.jsonl`.
   * @default the equivalent `wit eval zeroshot` command
   */
  command?: string;
  onProgress?: ProgressSink;
  /** Called with warnings (class names the vocabulary does not cover) before the images are embedded. */
  onWarning?: (message: string) => void;
}

export interface ZeroShotResult {
  record: ZeroShotRecord;
  confusion: ConfusionFile;
  skipped: SkippedImage[];
}

/** The labelled images and prompts of an eval, read and checked before any model is loaded. */
export interface LabelledEvalInputs {
  classNames: string[];
  items: Array<{ path: string; label: number }>;
  templates: string[];
}

export function readLabelledEvalInputs(options: Pick<ZeroShotOptions, 'source' | 'classNamesFile' | 'templatesFile'>): LabelledEvalInputs {
  const { classNames, items } = loadLabelledImages(options.source, options.classNamesFile);
  const templates = options.templatesFile === undefined ? [...defaultTemplates] : readTemplates(options.templatesFile);
  return { classNames, items, templates };
}

/**
 * Zero-shot classification, CLIP's headline: each class becomes the ensemble
 * of its prompts' text embeddings, each image is assigned the class of highest
 * cosine similarity. Appends the figures to the run's `evals.jsonl` and
 * writes the confusion matrix beside it.
 */
export async function evaluateZeroShot(given: ZeroShotOptions): Promise<ZeroShotResult> {
  const options = { ...given, ...resolveOptions(zeroShotOptions, given) };
  const inputs = readLabelledEvalInputs(options);
  return withEvalModel(options.runDir, options, (model) => runZeroShot(model, inputs, options));
}

async function runZeroShot(
  model: EvalModel,
  { classNames, items, templates }: LabelledEvalInputs,
  options: ZeroShotOptions & ResolvedOptions<typeof zeroShotOptions.entries>,
): Promise<ZeroShotResult> {
  const classifier = await buildZeroShotClassifier(model, classNames, templates);
  const warning = unknownClassWarning(classifier);
  if (warning) options.onWarning?.(warning);

  const images = await embedImageFiles(
    model,
    items.map((item) => item.path),
    options.batchSize,
    options.onProgress,
  );
  const labels = Int32Array.from(images.kept, (index) => items[index]!.label);
  const scores = classSimilarities(images.embeddings, classifier.classEmbeddings, classifier.dim);
  const metrics = classificationMetrics(scores, labels, classNames.length);

  const time = new Date().toISOString();
  const data = dataPath(options.source);
  const examples = zeroShotExamples(
    scores,
    labels,
    images.kept.map((index) => items[index]!.path),
    classNames.length,
  );
  const confusion: ConfusionFile = { time, data, classNames, matrix: metrics.confusion, examples };
  const record: ZeroShotRecord = {
    kind: 'zeroshot',
    time,
    command: options.command ?? `wit eval zeroshot --run ${options.runDir} ${sourceFlag(options.source)}`,
    data,
    skipped: images.skipped.length,
    figures: {
      images: metrics.count,
      classes: classNames.length,
      templates: templates.length,
      top1: metrics.top1,
      top5: metrics.top5,
      meanPerClassAccuracy: metrics.meanPerClassAccuracy,
      perClass: classNames.map((name, c) => ({
        name,
        images: metrics.confusion[c]!.reduce((a, b) => a + b, 0),
        accuracy: metrics.perClassAccuracy[c]!,
      })),
      classesWithoutKnownWords: classifier.classesWithoutKnownWords,
    },
    files: { confusion: writeConfusionFile(options.runDir, confusion) },
  };
  appendEvalRecord(options.runDir, record);
  return { record, confusion, skipped: images.skipped };
}

export function dataPath(source: LabelledImageSource): string {
  return 'imagesDir' in source ? source.imagesDir : source.listFile;
}

export function sourceFlag(source: LabelledImageSource): string {
  return 'imagesDir' in source ? `--images ${source.imagesDir}` : `--list ${source.listFile}`;
}
