import type { Argv } from 'yargs';

/** The tfjs backends `--backend` takes (train/engine's BackendName and `auto`), listed here so that the CLI starts without loading tfjs. */
export const backendChoices = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;

export type BackendChoice = (typeof backendChoices)[number];

/** `--backend`, the tfjs backend a command loads the model on. */
export function backendOption<T>(y: Argv<T>, describe: string) {
  return y.option('backend', { type: 'string', choices: backendChoices, default: 'auto', describe });
}

/** `--db`, the one database file a crawl lives in. */
export function dbOption<T>(y: Argv<T>) {
  return y.option('db', { type: 'string', default: 'wit.db', describe: 'SQLite database file', normalize: true });
}
