import * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { adamWUpdate, clipScale, sumOfSquares, type OptimizerBuffers } from './adamw.js';
import { selectBackend } from './backends.js';
import { SharedBarrier } from './barrier.js';
import { inBatchAccuracy } from './loss.js';
import { layoutParams, paramSpecs, temperatureParam } from './params.js';
import { Replica, type EmbeddingExchange } from './replica.js';
import type { StepPhases } from './types.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.js';

/**
 * One data-parallel engine worker: its own wasm instance and replica, weights and Adam moments
 * in shared memory. Per step: embed its slice, exchange embeddings, full loss, backprop its slice,
 * sum gradients through shared memory, update its share of the parameters, reload the weights.
 */
const init = workerData as WorkerInit;
const port = parentPort!;
const { config, workerIndex, workers, memory } = init;
const { slots, totalSize } = layoutParams(paramSpecs(config));
const buffers: OptimizerBuffers = {
  weights: new Float32Array(memory.weights),
  adamM: new Float32Array(memory.adamM),
  adamV: new Float32Array(memory.adamV),
};
const allGrads = new Float32Array(memory.grads);
const gradsOf = (worker: number) => allGrads.subarray(worker * totalSize, (worker + 1) * totalSize);
const squaredNorms = new Float64Array(memory.squaredNorms);
const barrier = new SharedBarrier(memory.barrier, workers);
const ownStart = Math.floor((totalSize * workerIndex) / workers);
const ownEnd = Math.floor((totalSize * (workerIndex + 1)) / workers);
const temperatureIndex = slots.find((slot) => slot.name === temperatureParam)!.offset;

await selectBackend('wasm');
const replica = new Replica(config, slots);
replica.setWeights(buffers.weights);

/** Inserts the other workers' rows (constants) around this worker's rows [rowStart, rowEnd). */
function withOtherRows(local: tf.Tensor2D, shared: Float32Array, rowStart: number, rowEnd: number, rows: number): tf.Tensor2D {
  const width = local.shape[1];
  const parts: tf.Tensor2D[] = [];
  if (rowStart > 0) parts.push(tf.tensor2d(shared.subarray(0, rowStart * width), [rowStart, width]));
  parts.push(local);
  if (rowEnd < rows) parts.push(tf.tensor2d(shared.subarray(rowEnd * width, rows * width), [rows - rowEnd, width]));
  return parts.length === 1 ? local : tf.concat(parts, 0);
}

/**
 * Sums every worker's gradient into worker 0's vector over this worker's parameter range, except
 * the temperature: every worker computed its full gradient (each has the whole loss), so worker 0's is it.
 * No worker writes that entry: a save-and-restore of it raced with the worker whose range holds it.
 */
function sumGradients(): Float32Array {
  const total = gradsOf(0);
  for (let worker = 1; worker < workers; worker++) {
    const grads = gradsOf(worker);
    for (let i = ownStart; i < ownEnd; i++) {
      if (i !== temperatureIndex) total[i] = total[i]! + grads[i]!;
    }
  }
  return total;
}

function trainStep(request: Extract<WorkerRequest, { kind: 'step' }>): WorkerReply {
  const { slice, batchSize, hyper } = request;
  const width = config.embedDim;
  const shared = new Float32Array(request.exchange);
  const sharedImages = shared.subarray(0, batchSize * width);
  const sharedTexts = shared.subarray(batchSize * width, 2 * batchSize * width);
  const lap = stopwatch();
  const exchange: EmbeddingExchange = (local) => {
    const images = local.images.dataSync();
    const texts = local.texts.dataSync();
    lap('forward');
    sharedImages.set(images, slice.rowStart * width);
    sharedTexts.set(texts, slice.rowStart * width);
    barrier.wait();
    const full = {
      images: withOtherRows(local.images, sharedImages, slice.rowStart, slice.rowEnd, batchSize),
      texts: withOtherRows(local.texts, sharedTexts, slice.rowStart, slice.rowEnd, batchSize),
    };
    lap('embeddingExchange');
    return full;
  };
  const rows = slice.rowEnd - slice.rowStart;
  const sliceBatch = { images: slice.images, tokenIds: slice.tokenIds, offsets: slice.offsets, size: rows };
  const { loss, logits } = replica.forwardBackward(sliceBatch, gradsOf(workerIndex), exchange);
  lap('backward');
  barrier.wait();
  if (Number.isFinite(loss)) {
    const total = sumGradients();
    let gradScale = 1;
    if (hyper.gradClipNorm !== undefined) {
      squaredNorms[workerIndex] = sumOfSquares(total, ownStart, ownEnd);
      barrier.wait();
      gradScale = clipScale(
        squaredNorms.reduce((a, b) => a + b, 0),
        hyper.gradClipNorm,
      );
    }
    lap('gradientSum');
    const update = { step: request.step, lr: hyper.lr, weightDecay: hyper.weightDecay, gradScale };
    adamWUpdate(slots, buffers, total, update, ownStart, ownEnd);
    barrier.wait();
    replica.setWeights(buffers.weights);
  }
  const phaseMillis = lap('optimizer');
  const accuracy = workerIndex === 0 ? inBatchAccuracy(logits, batchSize) : { imageToText: 0, textToImage: 0 };
  return { kind: 'stepDone', loss, imageToTextAccuracy: accuracy.imageToText, textToImageAccuracy: accuracy.textToImage, phaseMillis };
}

/** Times consecutive phases: each lap charges the time since the previous one to the phase named; returns the phases so far. */
function stopwatch(): (phase: keyof StepPhases) => StepPhases {
  const phases: StepPhases = { forward: 0, embeddingExchange: 0, backward: 0, gradientSum: 0, optimizer: 0 };
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    phases[phase] += now - last;
    last = now;
    return phases;
  };
}

function handle(request: WorkerRequest): WorkerReply {
  switch (request.kind) {
    case 'step':
      return trainStep(request);
    case 'embedImages':
      return { kind: 'embedded', embeddings: replica.embedImages(request.images, request.n) };
    case 'embedTexts':
      return { kind: 'embedded', embeddings: replica.embedTexts(request) };
    case 'reloadWeights':
      replica.setWeights(buffers.weights);
      return { kind: 'reloaded' };
  }
}

port.on('message', (request: WorkerRequest) => {
  try {
    const reply = handle(request);
    port.postMessage(reply, reply.kind === 'embedded' ? [reply.embeddings.buffer as ArrayBuffer] : []);
  } catch (error) {
    barrier.abort();
    const failure = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ kind: 'failed', message: failure.message, stack: failure.stack } satisfies WorkerReply);
  }
});
port.postMessage({ kind: 'ready' } satisfies WorkerReply);
