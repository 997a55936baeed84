import { storageFailure, WitError } from '../db/index.js';

/**
 * Prints a failure that escaped a command and returns the exit code: a
 * `WitError` as its message alone, a damaged db or a full disk as the
 * `WitError` that explains it, anything else (a bug) with its stack.
 */
export function reportFailure(thrown: unknown): number {
  const error = thrown instanceof WitError ? thrown : (storageFailure(thrown) ?? thrown);
  if (error instanceof WitError) {
    console.error(`wit: ${error.message}`);
    return error.exitCode;
  }
  console.error('wit: unexpected failure (a bug; please report it with this trace):');
  console.error(error);
  return 70;
}
