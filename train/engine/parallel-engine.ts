import { availableParallelism } from 'node:os';
import { WitError } from '../../core/index.js';
import type { OptimizerBuffers } from './adamw.js';
import { SharedBarrier } from './barrier.js';
import { checkImages, checkTextBatch, checkTrainBatch } from './batch-checks.js';
import { EngineWorkerPool } from './engine-worker-pool.js';
import { loadStateInto, stateFromBuffers } from './engine-state.js';
import { initialiseParams, layoutParams, logitScaleOf, paramSpecs, type ParamSlot } from './params.js';
import type { Engine, EngineState, ModelConfig, StepHyper, StepResult, TextBatch, TrainBatch } from './types.js';
import type { BatchSlice, SharedTrainingMemory, WorkerReply } from './worker-protocol.js';

/** Two workers when the machine has two cores or more: the measured best on wasm. */
export function defaultWasmWorkers(): number {
  return availableParallelism() >= 2 ? 2 : 1;
}

function sharedFloats(length: number): SharedArrayBuffer {
  return new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT);
}

/** Rows [start, end) of worker `index` when `rows` are split as evenly as possible. */
function rowRange(index: number, workers: number, rows: number): { start: number; end: number } {
  return { start: Math.floor((rows * index) / workers), end: Math.floor((rows * (index + 1)) / workers) };
}

function sliceOf(batch: TrainBatch, start: number, end: number, pixels: number): BatchSlice {
  const first = batch.offsets[start]!;
  return {
    images: batch.images.slice(start * pixels, end * pixels),
    tokenIds: batch.tokenIds.slice(first, batch.offsets[end]!),
    offsets: batch.offsets.slice(start, end + 1).map((offset) => offset - first),
    rowStart: start,
    rowEnd: end,
  };
}

function expectReply<K extends WorkerReply['kind']>(reply: WorkerReply, kind: K): Extract<WorkerReply, { kind: K }> {
  if (reply.kind !== kind) throw new Error(`engine worker answered ${reply.kind}, expected ${kind}`);
  return reply as Extract<WorkerReply, { kind: K }>;
}

/**
 * Exact data parallelism on wasm: each worker thread (own wasm instance) embeds its slice of the
 * batch, the embeddings are exchanged, each computes the whole loss and backpropagates its slice,
 * the gradients are summed in shared memory and every worker applies the same AdamW update to its
 * share of the shared weights. Same result as one worker, up to float summation order.
 */
export class ParallelEngine implements Engine {
  readonly backend = 'wasm' as const;
  private stepCount = 0;

  private constructor(
    readonly config: Required<ModelConfig>,
    private readonly slots: ParamSlot[],
    private readonly buffers: OptimizerBuffers,
    private readonly pool: EngineWorkerPool,
  ) {}

  static async start(config: Required<ModelConfig>, seed: number, workers: number): Promise<ParallelEngine> {
    const { slots, totalSize } = layoutParams(paramSpecs(config));
    const memory: SharedTrainingMemory = {
      weights: sharedFloats(totalSize),
      adamM: sharedFloats(totalSize),
      adamV: sharedFloats(totalSize),
      grads: sharedFloats(totalSize * workers),
      squaredNorms: new SharedArrayBuffer(workers * Float64Array.BYTES_PER_ELEMENT),
      barrier: SharedBarrier.allocate(),
    };
    const buffers: OptimizerBuffers = {
      weights: new Float32Array(memory.weights),
      adamM: new Float32Array(memory.adamM),
      adamV: new Float32Array(memory.adamV),
    };
    initialiseParams(slots, buffers.weights, seed);
    const inits = Array.from({ length: workers }, (_, workerIndex) => ({ config, workerIndex, workers, memory }));
    return new ParallelEngine(config, slots, buffers, await EngineWorkerPool.start(inits));
  }

  /** A non-finite loss leaves weights and moments untouched (every worker sees the same loss). */
  async step(batch: TrainBatch, hyper: StepHyper): Promise<StepResult> {
    checkTrainBatch(batch, this.config);
    if (batch.size < this.pool.size) {
      throw new WitError(`A batch of ${batch.size} pairs cannot be split over ${this.pool.size} engine workers; use a larger batch.`);
    }
    const pixels = this.config.imageSize * this.config.imageSize * 3;
    const exchange = sharedFloats(2 * batch.size * this.config.embedDim);
    const replies = await Promise.all(
      Array.from({ length: this.pool.size }, (_, index) => {
        const { start, end } = rowRange(index, this.pool.size, batch.size);
        const slice = sliceOf(batch, start, end, pixels);
        const request = { kind: 'step' as const, slice, batchSize: batch.size, step: this.stepCount + 1, hyper, exchange };
        const transfer = [slice.images.buffer, slice.tokenIds.buffer, slice.offsets.buffer] as ArrayBuffer[];
        return this.pool.request(index, request, transfer);
      }),
    );
    const result = expectReply(replies[0]!, 'stepDone');
    if (Number.isFinite(result.loss)) this.stepCount++;
    return {
      loss: result.loss,
      imageToTextAccuracy: result.imageToTextAccuracy,
      textToImageAccuracy: result.textToImageAccuracy,
      temperature: this.logitScale(),
      phaseMillis: result.phaseMillis,
    };
  }

  async embedImages(images: Float32Array, n: number): Promise<Float32Array> {
    checkImages(images, n, this.config);
    if (n === 0) return new Float32Array(0);
    const pixels = this.config.imageSize * this.config.imageSize * 3;
    const parts = Math.min(n, this.pool.size);
    const replies = await Promise.all(
      Array.from({ length: parts }, (_, index) => {
        const { start, end } = rowRange(index, parts, n);
        const chunk = images.slice(start * pixels, end * pixels);
        return this.pool.request(index, { kind: 'embedImages', images: chunk, n: end - start }, [chunk.buffer]);
      }),
    );
    const out = new Float32Array(n * this.config.embedDim);
    replies.forEach((reply, index) => {
      out.set(expectReply(reply, 'embedded').embeddings, rowRange(index, parts, n).start * this.config.embedDim);
    });
    return out;
  }

  async embedTexts(batch: TextBatch): Promise<Float32Array> {
    checkTextBatch(batch, this.config.vocabSize);
    if (batch.offsets.length === 1) return new Float32Array(0);
    const reply = await this.pool.request(0, { kind: 'embedTexts', tokenIds: batch.tokenIds, offsets: batch.offsets });
    return expectReply(reply, 'embedded').embeddings;
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
    await Promise.all(Array.from({ length: this.pool.size }, (_, index) => this.pool.request(index, { kind: 'reloadWeights' })));
  }

  async dispose(): Promise<void> {
    await this.pool.close();
  }
}
