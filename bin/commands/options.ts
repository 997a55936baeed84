import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import parser from 'yargs-parser';
import type { RobotsDirective } from '../../crawler/index.js';

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

/** The values a numeric flag may take: `least` to `most`, whole numbers unless `fraction`. */
export interface FlagRange {
  least: number;
  most: number;
  fraction?: boolean;
}

/** Threads or workers at most: beyond a few per core they only cost memory. */
export const mostWorkers = 4 * availableParallelism();

/** Milliseconds of a delay at most: an hour. */
export const mostDelayMillis = 3_600_000;

/**
 * A `.check()` that each flag named in `ranges` lies in its range, naming the
 * flag (an absent flag passes). A command lists each numeric flag it declares,
 * so that no value is taken that makes no sense or takes the machine down:
 * `.check(flagRanges({ cap: { least: 1, most: 1e9 } }))`.
 */
export function flagRanges(ranges: Readonly<Record<string, FlagRange>>) {
  return (argv: Record<string, unknown>): true | string => {
    for (const [flag, range] of Object.entries(ranges)) {
      const value = argv[flag];
      if (value === undefined) continue;
      const kind = range.fraction ? 'a number' : 'a whole number';
      if (typeof value !== 'number' || !(range.fraction || Number.isInteger(value)) || value < range.least || value > range.most) {
        return `--${flag} must be ${kind} from ${range.least} to ${range.most}; got ${String(value)}`;
      }
    }
    return true;
  };
}

/** What yargs hands a `.check()` as its second argument: the running command's declarations (its types say aliases). */
interface Declarations {
  string: string[];
  number: string[];
  array: string[];
  boolean: string[];
  alias: Record<string, string[]>;
}

/**
 * The global check of every command: a value flag typed without a value
 * (`--cap` alone would silently take its default) and a number flag that is no
 * number (`--cap abc`) are refused, naming the flag. yargs cannot be told that
 * every value flag needs a value after the commands declared theirs, so the
 * typed words are parsed again by yargs' own parser with one value required.
 */
export function flagValueCheck(typed: readonly string[]) {
  return (argv: Record<string, unknown>, declarations: unknown): true | string => {
    const declared = declarations as Declarations;
    const needValue = [...declared.string, ...declared.number].filter((key) => !declared.array.includes(key));
    const again = parser.detailed([...typed], {
      string: declared.string,
      number: declared.number,
      boolean: declared.boolean,
      array: declared.array,
      alias: declared.alias,
      narg: Object.fromEntries(needValue.map((key) => [key, 1])),
    });
    const missing = again.error ? /following: (\S+)/.exec(again.error.message)?.[1] : undefined;
    if (missing) return `--${missing} needs a value`;
    const emptyList = declared.array.find((key) => Array.isArray(again.argv[key]) && (again.argv[key] as unknown[]).length === 0);
    if (emptyList) return `--${emptyList} needs a value`;
    const notNumber = declared.number.find((key) => Number.isNaN(argv[key]));
    if (notNumber) return `--${notNumber} must be a number`;
    return true;
  };
}

export type { RobotsDirective } from '../../crawler/index.js';

const robotsDirectives: RobotsDirective[] = ['noai', 'noimageai', 'noindex', 'noimageindex'];

/** `--disallowed-header-directives`, for every command that fetches (img2dataset's flag; all four by default, as there). */
export const disallowedDirectivesOption = {
  type: 'string',
  array: true,
  choices: robotsDirectives,
  default: robotsDirectives,
  describe: 'X-Robots-Tag / <meta name=robots> directives honoured: noai, noimageai (no training use), noindex, noimageindex',
} as const;

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
