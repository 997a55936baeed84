import type { ModelConfig, StepHyper, StepPhases } from './types.js';

/** The shared memory all engine workers and the main thread see. */
export interface SharedTrainingMemory {
  weights: SharedArrayBuffer;
  adamM: SharedArrayBuffer;
  adamV: SharedArrayBuffer;
  /** One flat gradient vector per worker, worker after worker. */
  grads: SharedArrayBuffer;
  /** One float64 per worker: its share of the squared gradient norm. */
  squaredNorms: SharedArrayBuffer;
  barrier: SharedArrayBuffer;
}

export interface WorkerInit {
  config: Required<ModelConfig>;
  workerIndex: number;
  workers: number;
  memory: SharedTrainingMemory;
}

/** A worker's slice of a batch: its pairs' images and captions (offsets rebased to 0). */
export interface BatchSlice {
  images: Float32Array;
  tokenIds: Int32Array;
  offsets: Int32Array;
  /** Rows [rowStart, rowEnd) of the whole batch. */
  rowStart: number;
  rowEnd: number;
}

export type WorkerRequest =
  | {
      kind: 'step';
      slice: BatchSlice;
      batchSize: number;
      /** 1-based update count, for Adam's bias correction. */
      step: number;
      hyper: StepHyper;
      /** n*embedDim image embeddings, then n*embedDim text embeddings, filled by every worker. */
      exchange: SharedArrayBuffer;
    }
  | { kind: 'embedImages'; images: Float32Array; n: number }
  | { kind: 'embedTexts'; tokenIds: Int32Array; offsets: Int32Array }
  | { kind: 'reloadWeights' };

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'stepDone'; loss: number; imageToTextAccuracy: number; textToImageAccuracy: number; phaseMillis: StepPhases }
  | { kind: 'embedded'; embeddings: Float32Array }
  | { kind: 'reloaded' }
  | { kind: 'failed'; message: string; stack?: string };
