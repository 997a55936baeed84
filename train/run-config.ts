import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WitError } from '../core/index.js';
import type { ModelConfig } from './engine/index.js';
import type { TrainSettings } from './options.js';

/** `config.json` of a run folder: everything needed to continue it or to load its model. */
export interface RunConfig {
  format: 'wit-run-1';
  model: Required<ModelConfig>;
  train: TrainSettings;
  /**
   * How the run is carried out, without changing what it computes; a resumed
   * run keeps these unless given again. `workers` null: the engine's default.
   * (The same worker count gives bit-identical steps; another sums gradients in another order.)
   */
  runtime: { saveEverySteps: number; logEverySteps: number; workers: number | null };
  data: {
    /** The shard folder as given when the run started. */
    shardsDir: string;
    /** Train shard names and sample counts; a resumed run checks they are unchanged. */
    trainShards: Array<{ name: string; samples: number }>;
    /** Train pairs with a known word: the pairs training uses. */
    trainSamples: number;
    /** Train pairs left out because no word of their caption is in the vocabulary. */
    noKnownWordSamples: number;
    /** Distinct words of the train captions cut by `--vocab` (the rarest). */
    wordsCutByVocab: number;
    /** Full batches an epoch yields (incomplete last batches are dropped). */
    stepsPerEpoch: number;
  };
  createdAt: string;
}

export const runFiles = {
  config: 'config.json',
  vocab: 'vocab.json',
  metrics: 'metrics.jsonl',
  decodedCache: 'decoded.bin',
} as const;

export async function writeRunConfig(dir: string, config: RunConfig): Promise<void> {
  const path = join(dir, runFiles.config);
  await writeFile(`${path}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

/** The run's config, or undefined when the folder has none. */
export async function readRunConfig(dir: string): Promise<RunConfig | undefined> {
  const path = join(dir, runFiles.config);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new WitError(`cannot read ${path} (${(error as Error).message}).`, { cause: error });
  }
  let config: Partial<RunConfig>;
  try {
    config = JSON.parse(text) as Partial<RunConfig>;
  } catch (error) {
    throw new WitError(`${path} is not valid JSON (${(error as Error).message}): the run folder is damaged.`, { cause: error });
  }
  if (config.format !== 'wit-run-1' || !config.model || !config.train || !config.data)
    throw new WitError(`${path} is not a wit run config (format "wit-run-1").`);
  return config as RunConfig;
}
