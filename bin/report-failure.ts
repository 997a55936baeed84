import { WitError } from '../core/index.js';

/**
 * Prints a failure that escaped a command and returns the exit code: a
 * `WitError` as its message alone, a damaged db or a full disk as the
 * `WitError` that explains it, anything else (a bug) with its stack. The db
 * stage (and its native SQLite) loads only for a failure that may be its own.
 */
export async function reportFailure(thrown: unknown): Promise<number> {
  const error = thrown instanceof WitError ? thrown : ((await import('../db/index.js')).storageFailure(thrown) ?? thrown);
  if (error instanceof WitError) {
    console.error(`wit: ${error.message}`);
    return error.exitCode;
  }
  console.error('wit: unexpected failure (a bug; please report it with this trace):');
  console.error(error);
  return 70;
}
