import { optimizerStep, type OptimizerBuffers } from './adamw.js';
import { checkImages, checkTextBatch, checkTrainBatch } from './batch-checks.js';
import { loadStateInto, stateFromBuffers } from './engine-state.js';
import { stepResultOf } from './loss.js';
import { initialiseParams, layoutParams, logitScaleOf, paramSpecs, type ParamSlot } from './params.js';
import { Replica } from './replica.js';
import type { BackendName, Engine, EngineState, ModelConfig, StepHyper, StepResult, TextBatch, TrainBatch } from './types.js';

/** The engine on the current tfjs backend, in this thread. */
export class LocalEngine implements Engine {
  private stepCount = 0;
  private readonly grads: Float32Array;
  private readonly buffers: OptimizerBuffers;
  private readonly slots: ParamSlot[];
  private readonly replica: Replica;

  constructor(
    readonly backend: BackendName,
    readonly config: Required<ModelConfig>,
    seed: number,
  ) {
    const { slots, totalSize } = layoutParams(paramSpecs(config));
    this.slots = slots;
    this.grads = new Float32Array(totalSize);
    this.buffers = {
      weights: new Float32Array(totalSize),
      adamM: new Float32Array(totalSize),
      adamV: new Float32Array(totalSize),
    };
    initialiseParams(slots, this.buffers.weights, seed);
    this.replica = new Replica(config, slots);
    this.replica.setWeights(this.buffers.weights);
  }

  /** A non-finite loss leaves weights and moments untouched, so the caller can stop on a good state. */
  async step(batch: TrainBatch, hyper: StepHyper): Promise<StepResult> {
    checkTrainBatch(batch, this.config);
    const { loss, logits } = this.replica.forwardBackward(batch, this.grads);
    if (Number.isFinite(loss)) {
      this.stepCount++;
      optimizerStep(this.slots, this.buffers, this.grads, this.stepCount, hyper);
      this.replica.setWeights(this.buffers.weights);
    }
    return stepResultOf(loss, logits, batch.size, this.logitScale());
  }

  async embedImages(images: Float32Array, n: number): Promise<Float32Array> {
    checkImages(images, n, this.config);
    if (n === 0) return new Float32Array(0);
    return this.replica.embedImages(images, n);
  }

  async embedTexts(batch: TextBatch): Promise<Float32Array> {
    checkTextBatch(batch, this.config.vocabSize);
    if (batch.offsets.length === 1) return new Float32Array(0);
    return this.replica.embedTexts(batch);
  }

  logitScale(): number {
    return logitScaleOf(this.slots, this.buffers.weights);
  }

  async exportState(): Promise<EngineState> {
    return stateFromBuffers(this.slots, this.buffers, this.stepCount);
  }

  async importState(state: EngineState): Promise<void> {
    loadStateInto(this.slots, this.buffers, state);
    this.stepCount = state.step;
    this.replica.setWeights(this.buffers.weights);
  }

  async dispose(): Promise<void> {
    this.replica.dispose();
  }
}
