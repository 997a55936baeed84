import type { Argv } from 'yargs';

/** `--db`, the one database file a crawl lives in. */
export function dbOption<T>(y: Argv<T>) {
  return y.option('db', { type: 'string', default: 'wit.db', describe: 'SQLite database file', normalize: true });
}

/** `--json`: the end-of-run summary as one JSON object on stdout instead of lines for a person. */
export function jsonOption<T>(y: Argv<T>) {
  return y.option('json', { type: 'boolean', default: false, describe: 'Print the summary as one JSON object on stdout (progress stays on stderr)' });
}

/**
 * The end of a run on stdout: the summary object the stage returned, as one
 * JSON line with `--json` (so new fields come along), else `format`'s lines.
 */
export function printSummary<S extends object>(json: boolean, summary: S, format: (summary: S) => string): void {
  process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `${format(summary)}\n`);
}

/** A number flag's value for a message: yargs turns text like `abc` into NaN, which a person never typed. */
export function shownNumber(value: number): string {
  return Number.isNaN(value) ? 'text that is not a number' : String(value);
}
