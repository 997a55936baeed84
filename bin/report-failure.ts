import { WitError } from '../db/index.js';

/**
 * Prints a failure that escaped a command and returns the exit code: a
 * `WitError` as its message alone, anything else (a bug) with its stack.
 */
export function reportFailure(error: unknown): number {
  if (error instanceof WitError) {
    console.error(`wit: ${error.message}`);
    return error.exitCode;
  }
  console.error('wit: unexpected failure (a bug; please report it with this trace):');
  console.error(error);
  return 70;
}
