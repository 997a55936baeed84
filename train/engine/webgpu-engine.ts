import * as tf from '@tensorflow/tfjs';
import type { OptimizerBuffers } from './adamw.js';
import { checkImages, checkTextBatch, checkTrainBatch } from './batch-checks.js';
import { deviceOptimizerStep, type DeviceParam } from './device-adamw.js';
import { loadStateInto, stateFromBuffers } from './engine-state.js';
import { stepResultOf } from './loss.js';
import { initialiseParams, layoutParams, paramSpecs, temperatureParam, type ParamSlot } from './params.js';
import { imageChunks, Replica } from './replica.js';
import type { Engine, EngineState, ModelConfig, StepHyper, StepResult, TextBatch, TrainBatch } from './types.js';

function emptyBuffers(totalSize: number): OptimizerBuffers {
  return { weights: new Float32Array(totalSize), adamM: new Float32Array(totalSize), adamV: new Float32Array(totalSize) };
}

/**
 * The engine on tfjs-backend-webgpu, in this thread: weights and Adam moments stay on the device
 * as variables, each step uploads its batch once and reads back only the loss, the logits (for
 * the in-batch accuracy) and the temperature. WebGPU has no synchronous read in Node, so every
 * read is awaited.
 */
export class WebGpuEngine implements Engine {
  readonly backend = 'webgpu';
  private stepCount = 0;
  private temperatureLog: number;
  private readonly slots: ParamSlot[];
  private readonly totalSize: number;
  private readonly params: DeviceParam[];
  private readonly replica: Replica;

  constructor(
    readonly config: Required<ModelConfig>,
    seed: number,
  ) {
    const { slots, totalSize } = layoutParams(paramSpecs(config));
    this.slots = slots;
    this.totalSize = totalSize;
    const initial = new Float32Array(totalSize);
    initialiseParams(slots, initial, seed);
    this.params = slots.map((slot) => ({
      slot,
      weights: tf.variable(tf.tensor(initial.subarray(slot.offset, slot.offset + slot.size), slot.shape, 'float32'), false),
      adamM: tf.variable(tf.zeros(slot.shape), false),
      adamV: tf.variable(tf.zeros(slot.shape), false),
    }));
    this.temperatureLog = initial[this.temperatureSlot().offset]!;
    this.replica = new Replica(config, slots);
    this.replica.useParams(Object.fromEntries(this.params.map(({ slot, weights }) => [slot.name, weights])));
  }

  /** A non-finite loss leaves weights and moments untouched, so the caller can stop on a good state. */
  async step(batch: TrainBatch, hyper: StepHyper): Promise<StepResult> {
    checkTrainBatch(batch, this.config);
    const taped = this.replica.lossAndGradients(batch);
    let loss: number;
    let logits: Float32Array;
    try {
      [loss, logits] = await Promise.all([taped.loss.data().then((v) => v[0]!), taped.logits.data() as Promise<Float32Array>]);
      if (Number.isFinite(loss)) {
        this.stepCount++;
        deviceOptimizerStep(this.params, taped.grads, this.stepCount, hyper);
      }
    } finally {
      tf.dispose([taped.loss, taped.logits, ...taped.grads]);
    }
    this.temperatureLog = (await this.temperatureParam().weights.data())[0]!;
    return stepResultOf(loss, logits, batch.size, this.logitScale());
  }

  async embedImages(images: Float32Array, n: number): Promise<Float32Array> {
    checkImages(images, n, this.config);
    const out = new Float32Array(n * this.config.embedDim);
    for (const { chunk, rows, start } of imageChunks(images, n, this.config)) {
      const embedded = this.replica.imageEmbeddings(chunk, rows);
      out.set((await embedded.data()) as Float32Array, start * this.config.embedDim);
      embedded.dispose();
    }
    return out;
  }

  async embedTexts(batch: TextBatch): Promise<Float32Array> {
    checkTextBatch(batch, this.config.vocabSize);
    if (batch.offsets.length === 1) return new Float32Array(0);
    const embedded = this.replica.textEmbeddings(batch);
    const out = (await embedded.data()) as Float32Array;
    embedded.dispose();
    return out;
  }

  logitScale(): number {
    return Math.exp(this.temperatureLog);
  }

  async exportState(): Promise<EngineState> {
    const buffers = emptyBuffers(this.totalSize);
    for (const { slot, weights, adamM, adamV } of this.params) {
      const [w, m, v] = await Promise.all([weights.data(), adamM.data(), adamV.data()]);
      buffers.weights.set(w as Float32Array, slot.offset);
      buffers.adamM.set(m as Float32Array, slot.offset);
      buffers.adamV.set(v as Float32Array, slot.offset);
    }
    return stateFromBuffers(this.slots, buffers, this.stepCount);
  }

  async importState(state: EngineState): Promise<void> {
    const buffers = emptyBuffers(this.totalSize);
    loadStateInto(this.slots, buffers, state);
    for (const { slot, weights, adamM, adamV } of this.params) {
      const range = (values: Float32Array) => tf.tensor(values.subarray(slot.offset, slot.offset + slot.size), slot.shape, 'float32');
      tf.tidy(() => {
        weights.assign(range(buffers.weights));
        adamM.assign(range(buffers.adamM));
        adamV.assign(range(buffers.adamV));
      });
    }
    this.stepCount = state.step;
    this.temperatureLog = buffers.weights[this.temperatureSlot().offset]!;
  }

  async dispose(): Promise<void> {
    this.replica.dispose();
    tf.dispose(this.params.flatMap(({ adamM, adamV }) => [adamM, adamV]));
  }

  private temperatureSlot(): ParamSlot {
    return this.slots.find((slot) => slot.name === temperatureParam)!;
  }

  private temperatureParam(): DeviceParam {
    return this.params.find(({ slot }) => slot.name === temperatureParam)!;
  }
}
