/** The tfjs backends the engine can run on, fastest first. */
export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The shape of the bag-of-words contrastive model (docs/architecture.md). */
export interface ModelConfig {
  /** Rows of the word-embedding table (the vocabulary size, padding excluded). */
  vocabSize: number;
  /** Width of the shared image-text embedding space (`defaultModelConfig` holds the defaults, the training options'). */
  embedDim: number;
  /** Side of the square training images, in pixels. */
  imageSize: number;
  /** Width of a word embedding before the text projection. @default embedDim */
  wordDim?: number;
  /** Output channels of the 3x3 stride-2 convolutions, in order; by default `--conv-channels`'. */
  convChannels?: number[];
}

/** Captions as bags of word ids, one CSR row per caption. */
export interface TextBatch {
  /** All word ids of all rows, row after row; each in [0, vocabSize). */
  tokenIds: Int32Array;
  /** Length n+1: row i is tokenIds[offsets[i], offsets[i+1]); empty rows embed to zeros. */
  offsets: Int32Array;
}

/** One training batch of image-caption pairs; pair i is image i and text row i. */
export interface TrainBatch extends TextBatch {
  /** n*S*S*3 floats, NHWC RGB, already normalised with the CLIP mean and std. */
  images: Float32Array;
  /** n, the number of pairs. */
  size: number;
}

/** Per-step optimiser settings (the schedule lives with the trainer). */
export interface StepHyper {
  lr: number;
  /** Decoupled (AdamW) weight decay; not applied to biases, gains or the temperature. */
  weightDecay: number;
  /** Clip the global gradient L2 norm to this value when set. */
  gradClipNorm?: number;
}

export interface StepResult {
  loss: number;
  imageToTextAccuracy: number;
  textToImageAccuracy: number;
  /** exp(t) after the update. */
  temperature: number;
  /** Where the step's time went, in worker 0 (data-parallel wasm only). */
  phaseMillis?: StepPhases;
}

/** Milliseconds of one data-parallel step by phase, as worker 0 saw them. */
export interface StepPhases {
  /** The worker's slice through both encoders. */
  forward: number;
  /** Embeddings into shared memory, waiting for the other workers, and back. */
  embeddingExchange: number;
  /** The whole-batch loss and the gradients of the worker's slice, read off the wasm heap. */
  backward: number;
  /** Waiting for every worker's gradients, summing them over its share (and the clipping norm). */
  gradientSum: number;
  /** AdamW on its share, waiting for the other shares, reloading the weights into wasm. */
  optimizer: number;
}

/** Everything needed to continue training bit for bit: weights and Adam moments, by name. */
export interface EngineState {
  step: number;
  tensors: Record<string, { shape: number[]; data: Float32Array }>;
}

export interface Engine {
  readonly backend: BackendName;
  readonly config: Required<ModelConfig>;
  /** Forward, symmetric InfoNCE, backward, AdamW update. */
  step(batch: TrainBatch, hyper: StepHyper): Promise<StepResult>;
  /** n*embedDim floats, each row L2-normalised. */
  embedImages(images: Float32Array, n: number): Promise<Float32Array>;
  /** n*embedDim floats, each row L2-normalised (an empty row gives zeros). */
  embedTexts(batch: TextBatch): Promise<Float32Array>;
  /** exp(t), the current logit scale. */
  logitScale(): number;
  exportState(): Promise<EngineState>;
  importState(state: EngineState): Promise<void>;
  dispose(): Promise<void>;
}

export interface EngineOptions {
  backend: BackendName;
  /** Seeds the weight initialisation; same seed, same weights. */
  seed: number;
  /** Data-parallel worker threads, each with its own wasm instance (wasm only). @default 2 on wasm with 2+ cores, else 1 */
  workers?: number;
}
