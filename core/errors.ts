/**
 * An error meant for the person at the terminal: the CLI prints its message
 * (no stack trace) and exits with `exitCode`. Anything else that escapes is a bug.
 */
export class WitError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'WitError';
    this.exitCode = options.exitCode ?? 1;
  }
}
