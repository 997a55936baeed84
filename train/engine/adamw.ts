import { maxTemperatureLog, temperatureParam, type ParamSlot } from './params.js';

/** CLIP's Adam settings. */
export const adamBeta1 = 0.9;
export const adamBeta2 = 0.98;
export const adamEpsilon = 1e-6;

/** The flat weight vector and its two Adam moments (same layout). */
export interface OptimizerBuffers {
  weights: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
}

export interface AdamWStep {
  /** 1-based count of updates, for Adam's bias correction. */
  step: number;
  lr: number;
  weightDecay: number;
  /** Multiplies every gradient first (gradient clipping); 1 when not clipping. */
  gradScale: number;
}

/** Sum of squares of grads[start, end), accumulated in float64. */
export function sumOfSquares(grads: Float32Array, start = 0, end = grads.length): number {
  let total = 0;
  for (let i = start; i < end; i++) {
    const g = grads[i]!;
    total += g * g;
  }
  return total;
}

/** The factor that brings the global gradient norm down to `clipNorm` (torch.nn.utils.clip_grad_norm_). */
export function clipScale(squaredNorm: number, clipNorm: number | undefined): number {
  if (clipNorm === undefined) return 1;
  const norm = Math.sqrt(squaredNorm);
  return norm > clipNorm ? clipNorm / (norm + 1e-6) : 1;
}

/**
 * AdamW (decoupled weight decay, as torch.optim.AdamW) on the elements [start, end) of the
 * flat vectors; the temperature is clamped at ln(100) after its update, as CLIP does.
 */
export function adamWUpdate(
  slots: ParamSlot[],
  buffers: OptimizerBuffers,
  grads: Float32Array,
  update: AdamWStep,
  start = 0,
  end = grads.length,
): void {
  const { weights, adamM, adamV } = buffers;
  const stepSize = update.lr / (1 - adamBeta1 ** update.step);
  const rootBiasCorrection2 = Math.sqrt(1 - adamBeta2 ** update.step);
  for (const slot of slots) {
    const from = Math.max(start, slot.offset);
    const to = Math.min(end, slot.offset + slot.size);
    if (from >= to) continue;
    const keep = slot.decay ? 1 - update.lr * update.weightDecay : 1;
    for (let i = from; i < to; i++) {
      const g = grads[i]! * update.gradScale;
      const m = adamBeta1 * adamM[i]! + (1 - adamBeta1) * g;
      const v = adamBeta2 * adamV[i]! + (1 - adamBeta2) * g * g;
      adamM[i] = m;
      adamV[i] = v;
      weights[i] = weights[i]! * keep - (stepSize * m) / (Math.sqrt(v) / rootBiasCorrection2 + adamEpsilon);
    }
    if (slot.name === temperatureParam) weights[slot.offset] = Math.min(weights[slot.offset]!, maxTemperatureLog);
  }
}

/** One whole optimiser step on one thread: optional clipping by the global norm, then AdamW. */
export function optimizerStep(
  slots: ParamSlot[],
  buffers: OptimizerBuffers,
  grads: Float32Array,
  step: number,
  hyper: { lr: number; weightDecay: number; gradClipNorm?: number },
): void {
  const gradScale = clipScale(sumOfSquares(grads), hyper.gradClipNorm);
  adamWUpdate(slots, buffers, grads, { step, lr: hyper.lr, weightDecay: hyper.weightDecay, gradScale });
}
