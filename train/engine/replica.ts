import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { contrastiveLoss } from './loss.js';
import { encodeImages, encodeTexts, textTensors, type ParamTensors } from './model.js';
import { temperatureParam, type ParamSlot } from './params.js';
import type { ModelConfig, TextBatch, TrainBatch } from './types.js';

/** The two embedding matrices of a batch (or of a worker's slice of it). */
export interface BatchEmbeddings {
  images: tf.Tensor2D;
  texts: tf.Tensor2D;
}

/**
 * Turns this replica's embeddings into the whole batch's: identity on one replica; with data
 * parallelism it inserts the other workers' embeddings (constants) around the local slice.
 */
export type EmbeddingExchange = (local: BatchEmbeddings) => BatchEmbeddings;

export interface ForwardBackward {
  loss: number;
  /** The whole batch's logits, n*n row-major. */
  logits: Float32Array;
}

/** What `lossAndGradients` leaves on the backend. */
export interface TapedGradients {
  loss: tf.Scalar;
  logits: tf.Tensor2D;
  grads: tf.Tensor[];
}

const embedChunkRows = 256;

/** Successive chunks of at most embedChunkRows images, so that embedding memory stays bounded. */
export function* imageChunks(
  images: Float32Array,
  n: number,
  config: Required<ModelConfig>,
): Generator<{ chunk: Float32Array; rows: number; start: number }> {
  const pixels = config.imageSize * config.imageSize * 3;
  for (let start = 0; start < n; start += embedChunkRows) {
    const rows = Math.min(embedChunkRows, n - start);
    yield { chunk: images.subarray(start * pixels, (start + rows) * pixels), rows, start };
  }
}

/** Copies a float tensor into target[offset...]; on wasm straight from the heap (dataSync copies first). */
function copyInto(tensor: tf.Tensor, target: Float32Array, offset: number): void {
  const backend = tf.backend() as Partial<BackendWasm>;
  const values = tf.getBackend() === 'wasm' && backend.typedArrayFromHeap ? backend.typedArrayFromHeap(tensor) : tensor.dataSync();
  target.set(values as Float32Array, offset);
}

/** The model on the current tfjs backend: parameter tensors, forward, backward. */
export class Replica {
  private params: ParamTensors = {};

  constructor(
    readonly config: Required<ModelConfig>,
    readonly slots: ParamSlot[],
  ) {}

  /** Replaces the parameter tensors with the values of the flat weight vector. */
  setWeights(weights: Float32Array): void {
    const next: ParamTensors = {};
    for (const slot of this.slots) {
      next[slot.name] = tf.tensor(weights.subarray(slot.offset, slot.offset + slot.size), slot.shape, 'float32');
    }
    this.useParams(next);
  }

  /** Makes `params` (by slot name) the model's tensors; the replica disposes them when replaced or disposed. */
  useParams(params: ParamTensors): void {
    this.disposeParams();
    this.params = params;
  }

  /** Loss of the batch and d(loss)/d(params) written into `grads` (the flat layout). */
  forwardBackward(batch: TrainBatch, grads: Float32Array, exchange: EmbeddingExchange = (local) => local): ForwardBackward {
    const taped = this.lossAndGradients(batch, exchange);
    try {
      this.slots.forEach((slot, i) => copyInto(taped.grads[i]!, grads, slot.offset));
      return { loss: taped.loss.dataSync()[0]!, logits: taped.logits.dataSync() as Float32Array };
    } finally {
      tf.dispose([taped.loss, taped.logits, ...taped.grads]);
    }
  }

  /**
   * The batch's loss, whole-batch logits and gradients (in slot order) as tensors on the current
   * backend, with nothing read back; the caller disposes them.
   */
  lossAndGradients(batch: TrainBatch, exchange: EmbeddingExchange = (local) => local): TapedGradients {
    const names = this.slots.map((slot) => slot.name);
    const size = this.config.imageSize;
    let logits: tf.Tensor2D | undefined;
    const retained: tf.Tensor[] = [];
    const retain = <T extends tf.Tensor>(tensor: T): T => {
      retained.push(tensor);
      return tf.keep(tensor);
    };
    try {
      const result = tf.tidy(() => {
        const images = tf.tensor4d(batch.images, [batch.size, size, size, 3]);
        const text = textTensors(batch);
        const lossOf = (...values: tf.Tensor[]): tf.Scalar => {
          const params: ParamTensors = Object.fromEntries(names.map((name, i) => [name, values[i]!]));
          const local = { images: encodeImages(params, this.config, images, retain), texts: encodeTexts(params, text) };
          const full = exchange(local);
          const out = contrastiveLoss(full.images, full.texts, params[temperatureParam] as tf.Scalar);
          logits = tf.keep(out.logits);
          return out.loss;
        };
        return tf.valueAndGrads(lossOf)(names.map((name) => this.params[name]!));
      });
      return { loss: result.value, logits: logits!, grads: result.grads };
    } finally {
      tf.dispose(retained);
    }
  }

  embedImages(images: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * this.config.embedDim);
    for (const { chunk, rows, start } of imageChunks(images, n, this.config)) {
      const embedded = this.imageEmbeddings(chunk, rows);
      out.set(embedded.dataSync() as Float32Array, start * this.config.embedDim);
      embedded.dispose();
    }
    return out;
  }

  embedTexts(batch: TextBatch): Float32Array {
    const embedded = this.textEmbeddings(batch);
    const out = embedded.dataSync() as Float32Array;
    embedded.dispose();
    return Float32Array.from(out);
  }

  /** rows images (rows*S*S*3 floats) to their embeddings, left on the backend for the caller to dispose. */
  imageEmbeddings(images: Float32Array, rows: number): tf.Tensor2D {
    const size = this.config.imageSize;
    return tf.tidy(() => encodeImages(this.params, this.config, tf.tensor4d(images, [rows, size, size, 3])));
  }

  /** The text rows' embeddings, left on the backend for the caller to dispose. */
  textEmbeddings(batch: TextBatch): tf.Tensor2D {
    return tf.tidy(() => encodeTexts(this.params, textTensors(batch)));
  }

  dispose(): void {
    this.disposeParams();
  }

  private disposeParams(): void {
    tf.dispose(Object.values(this.params));
    this.params = {};
  }
}
