/**
 * The training engine: CLIP's bag-of-words contrastive model on tfjs (docs/architecture.md).
 *
 * - model.ts / layers.ts: embedding bag -> linear -> L2; 3x3 stride-2 conv+ReLU stack -> mean pool
 *   -> linear -> L2. loss.ts: the symmetric InfoNCE. adamw.ts: AdamW on the flat parameter vector.
 * - backends.ts: tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu; kernels/: what wasm lacks (UnsortedSegmentSum,
 *   Conv2DBackpropFilter) and what it runs slowly (transposed BatchMatMul, Conv2DBackpropInput,
 *   leading-axis Sum, row Gather), each tested against the cpu backend.
 * - local-engine.ts: one thread. parallel-engine.ts + worker-main.ts: exact data parallelism over
 *   worker threads, each with its own wasm instance, sharing weights and gradients in memory.
 * - webgpu-adapter.ts + webgpu-engine.ts + device-adamw.ts: Dawn's WebGPU under tfjs-backend-webgpu,
 *   one thread, weights and AdamW moments on the device (kernels/: an im2col Conv2DBackpropFilter).
 * - native/: an optional N-API addon (npm run build:native) with OpenBLAS's sgemm and im2col; when
 *   built, the wasm engine's convolutions and their gradients run on it (kernels/openblas-conv.ts).
 */
export type {
  BackendName,
  Engine,
  EngineOptions,
  EngineState,
  ModelConfig,
  StepHyper,
  StepPhases,
  StepResult,
  TextBatch,
  TrainBatch,
} from './types.js';
export { selectBackend, type SelectedBackend } from './backends.js';
export { createEngine } from './create-engine.js';
export { wasmConvolutionKernels, type WasmConvolutionKernels } from './kernels/index.js';
export { loadNativeGemm, type NativeGemm } from './native/native-gemm.js';
export { defaultModelConfig } from './model-config.js';
