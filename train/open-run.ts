import { join } from 'node:path';
import { WitError } from '../core/index.js';
import { readCheckpoint } from './checkpoint.js';
import { createEngine, selectBackend, type BackendName, type Engine, type SelectedBackend } from './engine/index.js';
import { checkVocabularyMatches } from './prepare-run.js';
import { readRunConfig, runFiles, type RunConfig } from './run-config.js';
import { Vocabulary } from './vocabulary.js';

export interface OpenRunOptions {
  /**
   * The tfjs backend to load the model on.
   * @default 'auto'
   */
  backend?: BackendName | 'auto';
}

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
  const checkpoint = await readCheckpoint(dir);
  if (!checkpoint) throw new WitError(`the run in ${dir} holds no weights yet (no checkpoint.json): let \`wit train\` reach its first checkpoint (--save-every) or finish.`);
  const vocab = await Vocabulary.load(join(dir, runFiles.vocab));
  checkVocabularyMatches(dir, config, vocab, checkpoint.meta);
  const backend = await selectBackend(options.backend ?? 'auto');
  const engine = await createEngine(config.model, { backend: backend.name, seed: config.train.seed });
  try {
    await engine.importState(checkpoint.state);
  } catch (error) {
    await engine.dispose();
    throw error;
  }
  return { config, vocab, engine, step: checkpoint.meta.step, backend };
}
