import { WitError } from '../../core/index.js';
import { selectBackend } from './backends.js';
import { LocalEngine } from './local-engine.js';
import { defaultWasmWorkers, ParallelEngine } from './parallel-engine.js';
import { resolveModelConfig } from './model-config.js';
import { WebGpuEngine } from './webgpu-engine.js';
import type { Engine, EngineOptions, ModelConfig } from './types.js';

/**
 * Builds the model with seeded initial weights on the given backend (loading it if needed); on
 * wasm with `workers` > 1 (the default with 2+ cores) as data-parallel worker threads; on webgpu
 * with the weights and the optimizer on the device.
 */
export async function createEngine(config: ModelConfig, options: EngineOptions): Promise<Engine> {
  const resolved = resolveModelConfig(config);
  if (!Number.isFinite(options.seed)) throw new WitError(`The engine seed must be a number, got ${options.seed}.`);
  const workers = options.workers ?? (options.backend === 'wasm' ? defaultWasmWorkers() : 1);
  if (!Number.isInteger(workers) || workers < 1) throw new WitError(`The engine workers must be a positive integer, got ${workers}.`);
  if (workers > 1) {
    if (options.backend !== 'wasm') {
      throw new WitError(`Data-parallel workers run on the wasm backend only; use workers: 1 with ${options.backend}.`);
    }
    return ParallelEngine.start(resolved, options.seed, workers);
  }
  await selectBackend(options.backend);
  if (options.backend === 'webgpu') return new WebGpuEngine(resolved, options.seed);
  return new LocalEngine(options.backend, resolved, options.seed);
}
