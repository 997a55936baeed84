import { join } from 'node:path';
import { ReasonCounter, WitError } from '../core/index.js';
import { writeCheckpoint } from './checkpoint.js';
import { trainBatches, type DataPosition, type LoadedBatch } from './data-loader.js';
import { createEngine, selectBackend, type Engine, type SelectedBackend, type StepResult } from './engine/index.js';
import { learningRateAt } from './lr-schedule.js';
import { MetricsLog, type StepMetrics, type ValidationMetrics } from './metrics-log.js';
import { prepareRun, type PreparedRun } from './prepare-run.js';
import { runFiles } from './run-config.js';
import { countSamples } from '../webdataset/index.js';
import type { TrainOptions } from './options.js';
import { validateInBatch } from './validation.js';

/** The run was stopped through `TrainOptions.signal`; its checkpoint is at `step`. */
export class TrainingStopped extends WitError {
  constructor(
    outDir: string,
    readonly step: number,
    totalSteps: number,
  ) {
    super(`stopped at step ${step} of ${totalSteps}; the checkpoint is saved: continue with \`wit train --out ${outDir} --resume\`.`, {
      exitCode: 130,
    });
    this.name = 'TrainingStopped';
  }
}

export interface TrainResult {
  outDir: string;
  backend: SelectedBackend;
  /** Steps done in all (including those before a resume). */
  steps: number;
  totalSteps: number;
  /** The last metrics line; undefined when no step was left to train. */
  last: StepMetrics | undefined;
  /** In-batch retrieval on the val shards after the last step; undefined without val shards. */
  validation: ValidationMetrics | undefined;
  /** Pairs left out, by reason (no known word, undecodable image, ...). */
  leftOut: Record<string, number>;
}

/**
 * Trains the bag-of-words contrastive model on a shard folder into a run
 * folder, or continues it (`resume`). Checkpoints every `saveEverySteps` and
 * at the end; a non-finite loss stops the run, keeping the last checkpoint.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const run = await prepareRun(options, log);
  const backend = await selectBackend(run.runtime.backend);
  log(`backend: ${backend.reason}`);
  const engine = await createEngine(run.config.model, { backend: backend.name, seed: run.config.train.seed, workers: run.runtime.workers });
  try {
    if (run.checkpoint) {
      await engine.importState(run.checkpoint.state);
      log(`resuming ${run.outDir} at step ${run.checkpoint.meta.step} of ${run.config.train.totalSteps}`);
    }
    const metrics = await MetricsLog.open(join(run.outDir, runFiles.metrics), run.checkpoint?.meta.step ?? 0);
    const reasons = new ReasonCounter();
    for (const [reason, count] of Object.entries(run.cache.summary.leftOut)) reasons.add(reason, count);
    const { step, last } = await trainSteps(engine, run, metrics, reasons, options, log);
    const validation = await validate(engine, run, metrics, log, options.signal);
    return {
      outDir: run.outDir,
      backend,
      steps: step,
      totalSteps: run.config.train.totalSteps,
      last,
      validation,
      leftOut: reasons.toJSON(),
    };
  } finally {
    await engine.dispose();
  }
}

async function trainSteps(
  engine: Engine,
  run: PreparedRun,
  metrics: MetricsLog,
  reasons: ReasonCounter,
  options: TrainOptions,
  log: (message: string) => void,
): Promise<{ step: number; last: StepMetrics | undefined }> {
  const settings = run.config.train;
  const { saveEverySteps: saveEvery, logEverySteps: logEvery } = run.runtime;
  let step = run.checkpoint?.meta.step ?? 0;
  let savedStep = run.checkpoint ? step : undefined;
  const start: DataPosition = run.checkpoint?.meta.data ?? { epoch: 0, samplesDrawn: 0 };
  if (step >= settings.totalSteps) return { step, last: undefined };
  const batches = trainBatches({
    shards: run.trainShards,
    vocab: run.vocab,
    imageSize: settings.imageSize,
    batchSize: settings.batchSize,
    seed: settings.seed,
    start,
    shuffleBufferSize: settings.shuffleBufferSize,
    reasons,
    cache: run.cache,
  })[Symbol.asyncIterator]();
  const window = new MetricsWindow();
  const startedAt = performance.now();
  const firstStep = step;
  let dataWaitMillis = 0;
  const vocabFingerprint = run.vocab.fingerprint();
  let last: StepMetrics | undefined;
  try {
    while (step < settings.totalSteps) {
      const waitStartedAt = performance.now();
      const { value: batch } = (await batches.next()) as IteratorYieldResult<LoadedBatch>;
      dataWaitMillis += performance.now() - waitStartedAt;
      const lr = learningRateAt(step, { peakLr: settings.lr, warmupSteps: settings.warmupSteps, totalSteps: settings.totalSteps });
      window.add(batch.size, await stepOrStop(engine, batch, lr, step + 1, run, savedStep));
      step++;
      if (step % logEvery === 0 || step === settings.totalSteps) {
        last = window.flush(step, epochOf(batch.after, run), lr);
        await metrics.append(last);
        options.onMetrics?.(last, settings.totalSteps);
      }
      const stopping = options.signal?.aborted === true;
      if (step % saveEvery === 0 || step === settings.totalSteps || stopping) {
        await writeCheckpoint(run.outDir, await engine.exportState(), { step, data: batch.after, vocabFingerprint });
        savedStep = step;
      }
      if (stopping && step < settings.totalSteps) throw new TrainingStopped(run.outDir, step, settings.totalSteps);
    }
  } finally {
    await batches.return?.(undefined);
  }
  const share = (100 * dataWaitMillis) / (performance.now() - startedAt);
  log(
    `data: ${step - firstStep} steps waited ${(dataWaitMillis / 1000).toFixed(1)} s in all for batches (${share.toFixed(1)}% of the time; the first waits for the shuffle buffer to fill)`,
  );
  log(`checkpoint: step ${step} saved in ${run.outDir}`);
  return { step, last };
}

/** One optimizer step; a non-finite loss (the engine then leaves the weights as they were) stops the run. */
async function stepOrStop(
  engine: Engine,
  batch: LoadedBatch,
  lr: number,
  stepNumber: number,
  run: PreparedRun,
  savedStep: number | undefined,
): Promise<StepResult> {
  const { weightDecay, gradClipNorm } = run.config.train;
  const result = await engine.step(batch, { lr, weightDecay, ...(gradClipNorm !== null && { gradClipNorm }) });
  if (Number.isFinite(result.loss)) return result;
  const kept =
    savedStep === undefined
      ? 'no checkpoint had been written yet'
      : `the last good checkpoint (step ${savedStep}) in ${run.outDir} is kept`;
  throw new WitError(
    `training diverged: the loss at step ${stepNumber} is ${result.loss}; ${kept}. Start a new run with a lower --lr or a longer --warmup.`,
  );
}

function epochOf(position: DataPosition, run: PreparedRun): number {
  return position.epoch + Math.min(1, position.samplesDrawn / run.config.data.trainSamples);
}

/** Means of the step results since the last metrics line. */
class MetricsWindow {
  private startedAt = performance.now();
  private steps = 0;
  private samples = 0;
  private loss = 0;
  private i2t = 0;
  private t2i = 0;
  private temperature = 0;

  add(samples: number, result: StepResult): void {
    this.steps++;
    this.samples += samples;
    this.loss += result.loss;
    this.i2t += result.imageToTextAccuracy;
    this.t2i += result.textToImageAccuracy;
    this.temperature = result.temperature;
  }

  flush(step: number, epoch: number, lr: number): StepMetrics {
    const now = performance.now();
    const metrics: StepMetrics = {
      step,
      epoch: round(epoch, 4),
      loss: round(this.loss / this.steps, 5),
      lr,
      temperature: round(this.temperature, 4),
      i2t_acc: round(this.i2t / this.steps, 4),
      t2i_acc: round(this.t2i / this.steps, 4),
      samples_per_sec: round((this.samples * 1000) / Math.max(1, now - this.startedAt), 1),
    };
    this.startedAt = now;
    this.steps = this.samples = this.loss = this.i2t = this.t2i = 0;
    return metrics;
  }
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

async function validate(
  engine: Engine,
  run: PreparedRun,
  metrics: MetricsLog,
  log: (message: string) => void,
  signal: AbortSignal | undefined,
): Promise<ValidationMetrics | undefined> {
  if (run.valShards.length === 0 || signal?.aborted) return undefined;
  const valSamples = await countSamples(run.valShards);
  const batchSize = Math.min(run.config.train.batchSize, valSamples);
  if (batchSize < 2) return undefined;
  const result = await validateInBatch(engine, {
    shards: run.valShards,
    vocab: run.vocab,
    imageSize: run.config.model.imageSize,
    batchSize,
    reasons: new ReasonCounter(),
    signal,
  });
  if (signal?.aborted || result.samples === 0) return undefined;
  const step = run.config.train.totalSteps;
  const record: ValidationMetrics = {
    step,
    epoch: round(step / run.config.data.stepsPerEpoch, 4),
    split: 'val',
    val_i2t_acc: round(result.imageToText, 4),
    val_t2i_acc: round(result.textToImage, 4),
    val_samples: result.samples,
    val_batch: result.batchSize,
  };
  await metrics.append(record);
  log(
    `validation: in-batch image->text ${pct(result.imageToText)}, text->image ${pct(result.textToImage)} over ${result.samples} pairs in batches of ${result.batchSize} (chance ${pct(1 / result.batchSize)})`,
  );
  return record;
}

function pct(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}
