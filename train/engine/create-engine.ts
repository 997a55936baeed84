import { WitError } from '../../db/index.js';
import { selectBackend } from './backends.js';
import { LocalEngine } from './local-engine.js';
import { resolveModelConfig } from './model-config.js';
import type { Engine, EngineOptions, ModelConfig } from './types.js';

/** Builds the model with seeded initial weights on the given backend (loading it if needed). */
export async function createEngine(config: ModelConfig, options: EngineOptions): Promise<Engine> {
  const resolved = resolveModelConfig(config);
  if (!Number.isFinite(options.seed)) throw new WitError(`The engine seed must be a number, got ${options.seed}.`);
  await selectBackend(options.backend);
  return new LocalEngine(options.backend, resolved, options.seed);
}
