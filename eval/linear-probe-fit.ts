import { classificationMetrics } from './zero-shot-math.js';
import { fitLogisticRegression, logisticScores, type LabelledFeatures, type LogisticModel } from './logistic-regression.js';
import { seededRandom, stratifiedSplit } from './seeded-split.js';

/** The L2 strengths tried, strongest first (each fit starts from the previous one). */
export const defaultL2Grid: readonly number[] = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

export interface LinearProbeFitOptions {
  /**
   * Fraction of the training part held out to choose λ.
   * @default 0.2
   */
  validationFraction?: number;
  /**
   * Seeds the validation slice.
   * @default 0
   */
  seed?: number;
  /**
   * λ values tried.
   * @default defaultL2Grid
   */
  l2Grid?: readonly number[];
}

export interface LinearProbeFit {
  /** The λ with the best validation accuracy (ties go to the stronger penalty). */
  l2: number;
  /** Validation top-1 accuracy at each λ tried. */
  sweep: Array<{ l2: number; validationAccuracy: number }>;
  /** Refitted on the whole training part at the chosen λ. */
  model: LogisticModel;
}

/**
 * The CLIP paper's linear probe: choose the L2 strength on a validation slice
 * of the training features, then refit on all of them at that strength.
 */
export function fitLinearProbe(train: LabelledFeatures, options: LinearProbeFitOptions = {}): LinearProbeFit {
  const indices = Array.from(train.labels, (_, i) => i);
  const { kept, held } = stratifiedSplit(train.labels, indices, options.validationFraction ?? 0.2, seededRandom(options.seed ?? 0));
  const fitPart = subset(train, kept);
  const validationPart = subset(train, held);
  const sweep: LinearProbeFit['sweep'] = [];
  const starts = new Map<number, Float64Array>();
  let start: Float64Array | undefined;
  for (const l2 of options.l2Grid ?? defaultL2Grid) {
    const model = fitLogisticRegression(fitPart, { l2, start });
    start = model.parameters;
    starts.set(l2, start);
    const scores = logisticScores(model, validationPart.features);
    sweep.push({ l2, validationAccuracy: classificationMetrics(scores, validationPart.labels, train.classCount).top1 });
  }
  const best = sweep.reduce((a, b) => (b.validationAccuracy > a.validationAccuracy ? b : a));
  const model = fitLogisticRegression(train, { l2: best.l2, start: starts.get(best.l2) });
  return { l2: best.l2, sweep, model };
}

/** The rows `indices` of `data`, in that order. */
export function subset(data: LabelledFeatures, indices: readonly number[]): LabelledFeatures {
  const features = new Float32Array(indices.length * data.dim);
  const labels = new Int32Array(indices.length);
  indices.forEach((index, row) => {
    features.set(data.features.subarray(index * data.dim, (index + 1) * data.dim), row * data.dim);
    labels[row] = data.labels[index]!;
  });
  return { features, labels, dim: data.dim, classCount: data.classCount };
}
