import type { Argv } from 'yargs';
import parser from 'yargs-parser';
import {
  checkOptions,
  resolveOptions,
  WitError,
  type GivenOptions,
  type OptionEntries,
  type OptionTable,
  type ResolvedOptions,
} from '../../core/index.js';

/** `--db`, the one database file a crawl lives in. */
export function dbOption<T>(y: Argv<T>) {
  return y.option('db', { type: 'string', default: 'wit.db', describe: 'SQLite database file', normalize: true });
}

/**
 * Declares every option of a stage's table on a command: flag, alias, type,
 * choices and help, the default shown in the help only. yargs fills in no
 * default: an absent flag stays absent, the stage resolves the defaults (so a
 * resumed training run can tell a typed flag from a default).
 */
export function declareOptions<T>(y: Argv<T>, ...tables: Array<OptionTable<OptionEntries>>): Argv<T> {
  let declared = y;
  for (const option of tables.flatMap((table) => Object.values(table.entries))) {
    const shown =
      option.defaultText ??
      (option.default === undefined ? undefined : Array.isArray(option.default) ? option.default.join(' ') : String(option.default));
    declared = declared.option(option.flag, {
      ...option.cli,
      describe: option.describe,
      ...(option.alias ? { alias: option.alias } : {}),
      ...(option.group ? { group: option.group } : {}),
      ...(option.required ? { demandOption: true } : {}),
      ...(shown !== undefined && shown !== '' ? { defaultDescription: shown } : {}),
    });
  }
  return declared;
}

/** The options typed on the command line, by library key, parsed as the table says (unchecked). */
export function optionsFromArgv<E extends OptionEntries>(table: OptionTable<E>, argv: object): GivenOptions<E> {
  const given: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(table.entries)) {
    const typed = (argv as Record<string, unknown>)[option.flag];
    if (typed !== undefined) given[key] = option.parse ? (option.parse as (typed: unknown) => unknown)(typed) : typed;
  }
  return given as GivenOptions<E>;
}

/** Every option of the table: the typed flag, checked, or its default. */
export function resolvedFromArgv<E extends OptionEntries>(table: OptionTable<E>, argv: object): ResolvedOptions<E> {
  return resolveOptions(table, optionsFromArgv(table, argv));
}

/**
 * The typed options of a table whose `required` flags yargs has demanded (so
 * they are there): what a library call with required keys takes.
 */
export function requiredOptions<E extends OptionEntries>(table: OptionTable<E>, argv: object): GivenOptions<E> & RequiredKeys<E> {
  return optionsFromArgv(table, argv) as GivenOptions<E> & RequiredKeys<E>;
}

/** The keys of a table's `required` options, with their values. */
type RequiredKeys<E extends OptionEntries> = Pick<
  ResolvedOptions<E>,
  { [K in keyof E]: E[K]['required'] extends true ? K : never }[keyof E]
>;

/** A `.check()` of the typed flags against the tables, with the message the stage itself would give. */
export function checkFlags(...tables: Array<OptionTable<OptionEntries>>) {
  return (argv: object): true | string => {
    try {
      for (const table of tables) checkOptions(table, optionsFromArgv(table, argv));
      return true;
    } catch (error) {
      if (error instanceof WitError) return error.message;
      throw error;
    }
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

/** `--json`: what the command prints, as JSON on stdout instead of lines for a person; `describe` says what it prints. */
export function jsonOption<T>(y: Argv<T>, describe = 'Print the summary as one JSON object on stdout (progress stays on stderr)') {
  return y.option('json', { type: 'boolean', default: false, describe });
}

/**
 * The end of a run on stdout: the summary object the stage returned, as one
 * JSON line with `--json` (so new fields come along), else `format`'s lines.
 */
export function printSummary<S extends object>(json: boolean, summary: S, format: (summary: S) => string): void {
  process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `${format(summary)}\n`);
}

/** The table without `keys`: options the command takes in another form (a file of them, say) and declares itself. */
export function omitOptions<E extends OptionEntries, K extends keyof E & string>(
  table: OptionTable<E>,
  ...keys: K[]
): OptionTable<Omit<E, K>> {
  const entries = Object.fromEntries(Object.entries(table.entries).filter(([key]) => !keys.includes(key as K)));
  return { name: table.name, entries: entries as Omit<E, K> };
}
