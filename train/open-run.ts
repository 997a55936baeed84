import { resolveOptions, WitError, type GivenOptions } from '../core/index.js';
import { createEngine, selectBackend, type Engine, type SelectedBackend } from './engine/index.js';
import { openRunOptions } from './options.js';
import { loadTrainedState } from './prepare-run.js';
import { readRunConfig, runFiles, type RunConfig } from './run-config.js';
import type { Vocabulary } from './vocabulary.js';

/** The tfjs backend to load the model on (declared in options.ts). */
export type OpenRunOptions = GivenOptions<typeof openRunOptions.entries>;

/** A trained model, loaded from its run folder for evaluation or use. */
export interface OpenedRun {
  config: RunConfig;
  vocab: Vocabulary;
  engine: Engine;
  /** Training steps behind the loaded weights. */
  step: number;
  backend: SelectedBackend;
}

/**
 * Loads the last checkpoint of a run folder. Throws a `WitError` for a folder
 * that is not a run, holds no weights yet, or whose vocab.json does not match
 * the weights. The caller disposes `engine`.
 */
export async function openRun(dir: string, options: OpenRunOptions = {}): Promise<OpenedRun> {
  const config = await readRunConfig(dir);
  if (!config) throw new WitError(`${dir} is not a wit run folder (no ${runFiles.config}): pass the --out folder of \`wit train\`.`);
  const { backend: choice } = resolveOptions(openRunOptions, options);
  const { vocab, checkpoint } = await loadTrainedState(dir, config);
  if (!checkpoint)
    throw new WitError(
      `the run in ${dir} holds no weights yet (no checkpoint.json): let \`wit train\` reach its first checkpoint (--save-every) or finish.`,
    );
  const backend = await selectBackend(choice);
  const engine = await createEngine(config.model, { backend: backend.name, seed: config.train.seed });
  try {
    await engine.importState(checkpoint.state);
  } catch (error) {
    await engine.dispose();
    throw error;
  }
  return { config, vocab, engine, step: checkpoint.meta.step, backend };
}
