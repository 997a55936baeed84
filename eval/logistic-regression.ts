import { minimizeLbfgs, type LbfgsOptions } from './lbfgs.js';

/** Labelled feature rows: `features` is `count × dim`, `labels[i]` in 0..classCount-1. */
export interface LabelledFeatures {
  features: Float32Array;
  labels: Int32Array;
  dim: number;
  classCount: number;
}

/** A fitted multinomial logistic regression: `classCount × dim` weights, then `classCount` biases. */
export interface LogisticModel {
  parameters: Float64Array;
  dim: number;
  classCount: number;
}

export interface LogisticRegressionOptions extends LbfgsOptions {
  /** Strength λ of the L2 penalty (λ/2)·‖W‖² added to the mean cross-entropy; biases are not penalised. */
  l2: number;
  /** Parameters to start from (a fit at a nearby λ converges faster from there). Zeros when absent. */
  start?: Float64Array;
}

/**
 * L2-regularised multinomial logistic regression (softmax regression), the
 * linear probe of the CLIP paper, fitted by L-BFGS. Deterministic.
 */
export function fitLogisticRegression(data: LabelledFeatures, options: LogisticRegressionOptions): LogisticModel {
  const { dim, classCount } = data;
  const start = options.start ?? new Float64Array(classCount * (dim + 1));
  const result = minimizeLbfgs((parameters, gradient) => objective(data, options.l2, parameters, gradient), start, options);
  return { parameters: result.x, dim, classCount };
}

/** Class scores (logits) of each row of `features`: `count × classCount`. */
export function logisticScores(model: LogisticModel, features: Float32Array): Float32Array {
  const { dim, classCount, parameters } = model;
  const count = features.length / dim;
  const scores = new Float32Array(count * classCount);
  const logits = new Float64Array(classCount);
  for (let i = 0; i < count; i++) {
    computeLogits(parameters, features, i * dim, dim, classCount, logits);
    for (let c = 0; c < classCount; c++) scores[i * classCount + c] = logits[c]!;
  }
  return scores;
}

function objective(data: LabelledFeatures, l2: number, parameters: Float64Array, gradient: Float64Array): number {
  const { features, labels, dim, classCount } = data;
  const count = labels.length;
  const biasOffset = classCount * dim;
  gradient.fill(0);
  const logits = new Float64Array(classCount);
  let loss = 0;
  for (let i = 0; i < count; i++) {
    const row = i * dim;
    computeLogits(parameters, features, row, dim, classCount, logits);
    let max = -Infinity;
    for (let c = 0; c < classCount; c++) max = Math.max(max, logits[c]!);
    let sum = 0;
    for (let c = 0; c < classCount; c++) {
      logits[c] = Math.exp(logits[c]! - max);
      sum += logits[c]!;
    }
    const label = labels[i]!;
    loss -= Math.log(logits[label]! / sum);
    for (let c = 0; c < classCount; c++) {
      const error = (logits[c]! / sum - (c === label ? 1 : 0)) / count;
      gradient[biasOffset + c]! += error;
      const weights = c * dim;
      for (let k = 0; k < dim; k++) gradient[weights + k]! += error * features[row + k]!;
    }
  }
  let penalty = 0;
  for (let w = 0; w < biasOffset; w++) {
    penalty += parameters[w]! * parameters[w]!;
    gradient[w]! += l2 * parameters[w]!;
  }
  return loss / Math.max(1, count) + (l2 / 2) * penalty;
}

function computeLogits(
  parameters: Float64Array,
  features: Float32Array,
  row: number,
  dim: number,
  classCount: number,
  out: Float64Array,
): void {
  const biasOffset = classCount * dim;
  for (let c = 0; c < classCount; c++) {
    const weights = c * dim;
    let sum = parameters[biasOffset + c]!;
    for (let k = 0; k < dim; k++) sum += parameters[weights + k]! * features[row + k]!;
    out[c] = sum;
  }
}
