export interface LrScheduleOptions {
  /** The peak learning rate, reached at the end of warmup. */
  peakLr: number;
  /** Steps of linear warmup from ~0 to `peakLr`. */
  warmupSteps: number;
  /** Steps of the whole run; the cosine reaches 0 there. */
  totalSteps: number;
}

/**
 * The learning rate for 0-based `step`: linear warmup, then cosine decay to 0
 * (open_clip's `cosine_lr`). A function of the step alone, so a resumed run
 * continues the same schedule.
 */
export function learningRateAt(step: number, options: LrScheduleOptions): number {
  const { peakLr, warmupSteps, totalSteps } = options;
  if (step < warmupSteps) return (peakLr * (step + 1)) / warmupSteps;
  const decaySteps = totalSteps - warmupSteps;
  if (decaySteps <= 0) return peakLr;
  const progress = Math.min(1, (step - warmupSteps) / decaySteps);
  return 0.5 * (1 + Math.cos(Math.PI * progress)) * peakLr;
}
