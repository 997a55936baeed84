import * as tf from '@tensorflow/tfjs';
import { adamBeta1, adamBeta2, adamEpsilon } from './adamw.js';
import { maxTemperatureLog, temperatureParam, type ParamSlot } from './params.js';
import type { StepHyper } from './types.js';

/** One parameter's weights and Adam moments, kept on the device between steps. */
export interface DeviceParam {
  slot: ParamSlot;
  weights: tf.Variable;
  adamM: tf.Variable;
  adamV: tf.Variable;
}

/** clipScale of adamw.ts on the device: clipNorm / (|g| + 1e-6) when the global norm exceeds clipNorm, else 1. */
function gradScaleOf(grads: tf.Tensor[], clipNorm: number | undefined): tf.Scalar | number {
  if (clipNorm === undefined) return 1;
  // A chain of adds, not addN: WebGPU's AddN binds one buffer per input, past the 8 a stage may bind.
  const norm = tf.sqrt(grads.map((g) => tf.sum(tf.square(g))).reduce((total, squares) => tf.add(total, squares)));
  return tf.where(tf.greater(norm, clipNorm), tf.div(clipNorm, tf.add(norm, 1e-6)), tf.scalar(1)) as tf.Scalar;
}

/**
 * The AdamW step of adamw.ts (clipping by the global norm, decoupled decay, bias correction, the
 * temperature clamped at ln(100)) as tensor ops, so weights and moments never leave the device.
 * `grads` are in the order of `params`; `step` is the 1-based update count.
 */
export function deviceOptimizerStep(params: DeviceParam[], grads: tf.Tensor[], step: number, hyper: StepHyper): void {
  const stepSize = hyper.lr / (1 - adamBeta1 ** step);
  const rootBiasCorrection2 = Math.sqrt(1 - adamBeta2 ** step);
  tf.tidy(() => {
    const gradScale = gradScaleOf(grads, hyper.gradClipNorm);
    params.forEach(({ slot, weights, adamM, adamV }, i) => {
      const g = tf.mul(grads[i]!, gradScale);
      const m = tf.add(tf.mul(adamM, adamBeta1), tf.mul(g, 1 - adamBeta1));
      const v = tf.add(tf.mul(adamV, adamBeta2), tf.mul(tf.square(g), 1 - adamBeta2));
      const keep = slot.decay ? 1 - hyper.lr * hyper.weightDecay : 1;
      const denominator = tf.add(tf.div(tf.sqrt(v), rootBiasCorrection2), adamEpsilon);
      let next = tf.sub(tf.mul(weights, keep), tf.div(tf.mul(m, stepSize), denominator));
      if (slot.name === temperatureParam) next = tf.minimum(next, maxTemperatureLog);
      adamM.assign(m);
      adamV.assign(v);
      weights.assign(next);
    });
  });
}
