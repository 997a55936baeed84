export type {
  BackendName,
  Engine,
  EngineOptions,
  EngineState,
  ModelConfig,
  StepHyper,
  StepResult,
  TextBatch,
  TrainBatch,
} from './types.js';
export { selectBackend, backendPreference, type SelectedBackend } from './backends.js';
export { createEngine } from './create-engine.js';
export { defaultModelConfig, resolveModelConfig } from './model-config.js';
