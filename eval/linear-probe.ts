import { resolveOptions, WitError, type GivenOptions, type ProgressSink, type ResolvedOptions } from '../core/index.js';
import { embedImageFiles, type SkippedImage } from './embed-images.js';
import type { EvalModel } from './eval-model.js';
import { appendEvalRecord, type LinearProbeRecord } from './evals-log.js';
import type { LabelledImageSource } from './labelled-images.js';
import { fitLinearProbe, subset, type LinearProbeFitOptions } from './linear-probe-fit.js';
import { logisticScores } from './logistic-regression.js';
import { withEvalModel } from './open-eval-model.js';
import { linearProbeOptions } from './options.js';
import { seededRandom, stratifiedSplit } from './seeded-split.js';
import { buildZeroShotClassifier, unknownClassWarning } from './zero-shot-classifier.js';
import { classificationMetrics, classSimilarities } from './zero-shot-math.js';
import { dataPath, readLabelledEvalInputs, sourceFlag, type LabelledEvalInputs } from './zero-shot.js';

/** The declared options (options.ts, the stage's own), the images, the λ grid and the hooks. */
export interface LinearProbeOptions extends Pick<LinearProbeFitOptions, 'l2Grid'>, GivenOptions<typeof linearProbeOptions.entries> {
  runDir: string;
  /** A folder with a sub-folder per class, or a CSV/JSONL list of path,label. */
  source: LabelledImageSource;
  /**
   * The command line recorded in `evals.jsonl`.
   * @default the equivalent `wit eval linear-probe` command
   */
  command?: string;
  onProgress?: ProgressSink;
  onWarning?: (message: string) => void;
}

export interface LinearProbeResult {
  record: LinearProbeRecord;
  skipped: SkippedImage[];
}

/**
 * The CLIP paper's linear probe: L2-regularised logistic regression on the
 * frozen image embeddings (λ chosen on a validation slice of the training
 * part), scored on a seeded, stratified test split, beside zero-shot
 * accuracy on the same test images.
 */
export async function evaluateLinearProbe(given: LinearProbeOptions): Promise<LinearProbeResult> {
  const options = { ...given, ...resolveOptions(linearProbeOptions, given) };
  const inputs = readLabelledEvalInputs(options);
  return withEvalModel(options.runDir, options, (model) => runLinearProbe(model, inputs, options));
}

async function runLinearProbe(
  model: EvalModel,
  { classNames, items, templates }: LabelledEvalInputs,
  options: LinearProbeOptions & ResolvedOptions<typeof linearProbeOptions.entries>,
): Promise<LinearProbeResult> {
  const { testFraction, seed } = options;
  const classifier = await buildZeroShotClassifier(model, classNames, templates);
  const warning = unknownClassWarning(classifier);
  if (warning) options.onWarning?.(warning);

  const images = await embedImageFiles(
    model,
    items.map((item) => item.path),
    options.batchSize,
    options.onProgress,
  );
  const all = {
    features: images.embeddings,
    labels: Int32Array.from(images.kept, (index) => items[index]!.label),
    dim: images.dim,
    classCount: classNames.length,
  };
  const rows = Array.from(all.labels, (_, i) => i);
  const { kept, held } = stratifiedSplit(all.labels, rows, testFraction, seededRandom(seed));
  if (held.length === 0) {
    throw new WitError(`${dataPath(options.source)} has too few images for a test split (each class needs at least 2 that decode).`);
  }
  const train = subset(all, kept);
  const test = subset(all, held);
  const fit = fitLinearProbe(train, { seed, l2Grid: options.l2Grid });
  const probe = classificationMetrics(logisticScores(fit.model, test.features), test.labels, classNames.length);
  const zeroShot = classificationMetrics(
    classSimilarities(test.features, classifier.classEmbeddings, classifier.dim),
    test.labels,
    classNames.length,
  );

  const record: LinearProbeRecord = {
    kind: 'linear-probe',
    time: new Date().toISOString(),
    command: options.command ?? `wit eval linear-probe --run ${options.runDir} ${sourceFlag(options.source)}`,
    data: dataPath(options.source),
    skipped: images.skipped.length,
    figures: {
      classes: classNames.length,
      trainImages: train.labels.length,
      testImages: test.labels.length,
      testFraction,
      seed,
      l2: fit.l2,
      sweep: fit.sweep,
      linearProbeTop1: probe.top1,
      zeroShotTop1: zeroShot.top1,
    },
  };
  appendEvalRecord(options.runDir, record);
  return { record, skipped: images.skipped };
}
