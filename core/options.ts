import { availableParallelism } from 'node:os';
import { WitError } from './errors.js';

/**
 * One option of a stage, declared once: the library key is its name in the
 * stage's table, and from this come the CLI flag, the help text, the default,
 * the check (one message naming the flag and the option) and, for training,
 * what a resumed run does with it.
 */
export interface OptionDeclaration<V> {
  /** The CLI flag, without dashes. */
  flag: string;
  alias?: string;
  /** What it is, for --help. */
  describe: string;
  /** The --help heading it goes under. */
  group?: string;
  /** The CLI refuses to run without it. */
  required?: boolean;
  /** The value when the option is not given; undefined: none, or one worked out later (`defaultText` says how). */
  default: V;
  /** The default in words when it is worked out at run time, for --help. */
  defaultText?: string;
  /**
   * Training only. `match`: a run setting kept in config.json, a resumed run must give the same value or none;
   * `keep`: recorded too, but a resumed run may give another (else it keeps the run's); `free`: each run takes it as given.
   */
  resume?: 'match' | 'keep' | 'free';
  /** How the CLI parses the flag: yargs' type, a list, the choices. */
  cli: { type: 'number' | 'string' | 'boolean'; array?: boolean; choices?: readonly string[]; normalize?: boolean };
  /** Turns the typed flag into the option's value (`--conv-channels 32,64` into [32, 64]); the typed value as it is when absent. */
  parse?: (typed: never) => unknown;
  /** What a value must be, in words: "a whole number from 1 to 64". */
  rule: string;
  accepts(value: unknown): boolean;
}

export type OptionEntries = Record<string, OptionDeclaration<unknown>>;

/** A stage's options: its name in messages (its options type, e.g. `CurateOptions`) and one declaration per key. */
export interface OptionTable<E extends OptionEntries> {
  name: string;
  entries: E;
}

/** What a caller may give: every option optional. */
export type GivenOptions<E extends OptionEntries> = {
  [K in keyof E]?: E[K] extends OptionDeclaration<infer V> ? Exclude<V, undefined> : never;
};
/** Every option after its default: undefined only where the option has none. */
export type ResolvedOptions<E extends OptionEntries> = { [K in keyof E]: E[K] extends OptionDeclaration<infer V> ? V : never };

export function optionTable<E extends OptionEntries>(name: string, entries: E): OptionTable<E> {
  return { name, entries };
}

/** Threads or workers at most: beyond a few per core they only cost memory. */
export const mostWorkers = 4 * availableParallelism();

/** Milliseconds of a delay at most: an hour. */
export const mostDelayMillis = 3_600_000;

type Common = Pick<OptionDeclaration<unknown>, 'flag' | 'alias' | 'describe' | 'group' | 'required' | 'defaultText' | 'resume' | 'parse'>;

interface Bounds {
  /** The least value taken; or `above`, a value it must exceed. */
  least?: number;
  above?: number;
  /** The largest value taken, none when absent; or `below`, a value it must stay under. */
  most?: number;
  below?: number;
}

export function wholeNumber(spec: Common & Bounds & { default: number }): OptionDeclaration<number>;
export function wholeNumber(spec: Common & Bounds & { default?: undefined }): OptionDeclaration<number | undefined>;
export function wholeNumber(spec: Common & Bounds & { default?: number }): OptionDeclaration<number | undefined> {
  return numberOption(spec, 'a whole number', true);
}

export function decimal(spec: Common & Bounds & { default: number }): OptionDeclaration<number>;
export function decimal(spec: Common & Bounds & { default?: undefined }): OptionDeclaration<number | undefined>;
export function decimal(spec: Common & Bounds & { default?: number }): OptionDeclaration<number | undefined> {
  return numberOption(spec, 'a number', false);
}

function numberOption(
  { least, above, most, below, default: value, ...common }: Common & Bounds & { default?: number },
  kind: string,
  whole: boolean,
): OptionDeclaration<number | undefined> {
  return {
    ...common,
    default: value,
    cli: { type: 'number' },
    rule: numberRule(kind, whole, { least, above, most, below }),
    accepts: (given) =>
      typeof given === 'number' &&
      (!whole || Number.isInteger(given)) &&
      (above === undefined ? given >= least! : given > above) &&
      (below === undefined ? given <= (most ?? Number.POSITIVE_INFINITY) : given < below),
  };
}

/** The bounds in words: "a whole number from 1 to 64", "a number above 0 and below 1", "a positive whole number". */
function numberRule(kind: string, whole: boolean, { least, above, most, below }: Bounds): string {
  if (whole && least === 1 && most === undefined) return `a positive ${kind.replace(/^a /, '')}`;
  if (below !== undefined) return `${kind} ${above === undefined ? `of at least ${least}` : `above ${above}`} and below ${below}`;
  const lower = above === undefined ? `${kind} ${most === undefined ? 'of at least' : 'from'} ${least}` : `${kind} above ${above}`;
  return most === undefined ? lower : above === undefined ? `${lower} to ${most}` : `${lower}, at most ${most}`;
}

/** A seed of wit's 32-bit generators: a whole number from 0 to 2^32 - 1, 0 when not given. */
export function seedOption(spec: Common): OptionDeclaration<number> {
  return wholeNumber({ least: 0, most: 2 ** 32 - 1, default: 0, ...spec });
}

export function choice<const C extends string>(spec: Common & { choices: readonly C[]; default: NoInfer<C> }): OptionDeclaration<C>;
export function choice<const C extends string>(
  spec: Common & { choices: readonly C[]; default?: undefined },
): OptionDeclaration<C | undefined>;
export function choice<const C extends string>(spec: Common & { choices: readonly C[]; default?: C }): OptionDeclaration<C | undefined> {
  const { choices, ...rest } = spec;
  return {
    ...rest,
    default: spec.default,
    cli: { type: 'string', choices },
    rule: `one of ${choices.join(', ')}`,
    accepts: (given) => choices.includes(given as C),
  };
}

/** Several of `choices` (a repeated flag or a list after it). */
export function choices<const C extends string>(
  spec: Common & { choices: readonly C[]; default: NoInfer<readonly C[]> },
): OptionDeclaration<readonly C[]> {
  const { choices: all, ...rest } = spec;
  return {
    ...rest,
    cli: { type: 'string', array: true, choices: all },
    rule: `a list of ${all.join(', ')}`,
    accepts: (given) => Array.isArray(given) && given.every((one) => all.includes(one as C)),
  };
}

export function yesNo(spec: Common & { default: boolean }): OptionDeclaration<boolean> {
  return { ...spec, cli: { type: 'boolean' }, rule: 'true or false', accepts: (given) => typeof given === 'boolean' };
}

export function text(spec: Common & { default: string }): OptionDeclaration<string>;
export function text(spec: Common & { default?: undefined }): OptionDeclaration<string | undefined>;
export function text(spec: Common & { default?: string }): OptionDeclaration<string | undefined> {
  return {
    ...spec,
    default: spec.default,
    cli: { type: 'string' },
    rule: 'a text that is not blank',
    accepts: (given) => typeof given === 'string' && given.trim() !== '',
  };
}

/** Free texts, any number of them (e.g. language codes, blocked words). */
type TextsSpec = Common & { rule?: string; each?: (one: string) => boolean };
export function texts(spec: TextsSpec & { default: readonly string[] }): OptionDeclaration<readonly string[]>;
export function texts(spec: TextsSpec & { default?: undefined }): OptionDeclaration<readonly string[] | undefined>;
export function texts(spec: TextsSpec & { default?: readonly string[] }): OptionDeclaration<readonly string[] | undefined> {
  const { rule, each, ...rest } = spec;
  return {
    ...rest,
    default: spec.default,
    cli: { type: 'string', array: true },
    rule: rule ?? 'a list of texts',
    accepts: (given) => Array.isArray(given) && given.every((one) => typeof one === 'string' && (each?.(one) ?? true)),
  };
}

/** A file or folder, as typed (yargs normalizes it). A required one has no default: the caller always gives it. */
export function path(spec: Common & { required: true }): OptionDeclaration<string> & { required: true };
export function path(spec: Common & { default: string }): OptionDeclaration<string>;
export function path(spec: Common & { default?: undefined }): OptionDeclaration<string | undefined>;
export function path(spec: Common & { default?: string }): OptionDeclaration<string | undefined> {
  const declared = text(spec as Common & { default?: undefined });
  return { ...declared, default: spec.default, cli: { ...declared.cli, normalize: true } };
}

/** Files or folders, any number of them (a repeated flag or a list after it). */
export function paths(spec: Common & { default: readonly string[] }): OptionDeclaration<readonly string[]>;
export function paths(spec: Common & { default?: undefined }): OptionDeclaration<readonly string[] | undefined>;
export function paths(spec: Common & { default?: readonly string[] }): OptionDeclaration<readonly string[] | undefined> {
  return {
    ...spec,
    default: spec.default,
    cli: { type: 'string', array: true, normalize: true },
    rule: 'a list of paths',
    accepts: (given) => Array.isArray(given) && given.every((one) => typeof one === 'string'),
  };
}

/** Names typed on the CLI as one comma-separated text (`--save-cols width,height`); blanks between commas are dropped. */
export function nameList(spec: Common & { default: readonly string[] }): OptionDeclaration<readonly string[]> {
  return {
    ...spec,
    cli: { type: 'string' },
    parse: (typed: string) =>
      typed
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    rule: 'names, comma-separated (e.g. width,height)',
    accepts: (given) => Array.isArray(given) && given.every((one) => typeof one === 'string' && one.trim() !== ''),
  };
}

/** Whole numbers from 1 up, typed on the CLI comma-separated (`--conv-channels 32,64,128`). */
export function wholeNumberList(spec: Common & { default: readonly number[]; most: number }): OptionDeclaration<readonly number[]> {
  const { most, ...rest } = spec;
  return {
    defaultText: spec.default.join(','),
    ...rest,
    cli: { type: 'string' },
    parse: (typed: string) => typed.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part))),
    rule: `a comma-separated list of whole numbers from 1 to ${most} (e.g. ${spec.default.join(',')})`,
    accepts: (given) => Array.isArray(given) && given.length > 0 && given.every((one) => Number.isInteger(one) && one >= 1 && one <= most),
  };
}

/**
 * The one error of a bad option: names the flag and the option (exit 2, as a
 * bad flag). The same from the CLI's check and from a library call.
 */
export function optionError<E extends OptionEntries>(table: OptionTable<E>, key: keyof E & string, value: unknown): WitError {
  const declared = table.entries[key]!;
  const shown = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new WitError(`--${declared.flag} must be ${declared.rule} (${table.name}.${key}); got ${shown}`, { exitCode: 2 });
}

/** Throws the option error of the first given value its declaration refuses. */
export function checkOptions<E extends OptionEntries>(table: OptionTable<E>, given: GivenOptions<E>): void {
  for (const key of Object.keys(table.entries) as Array<keyof E & string>) {
    const value = (given as Record<string, unknown>)[key];
    if (value !== undefined && !table.entries[key]!.accepts(value)) throw optionError(table, key, value);
  }
}

/** Every option of the table: the given value, checked, or its default. Keys the table does not declare are left out. */
export function resolveOptions<E extends OptionEntries>(table: OptionTable<E>, given: GivenOptions<E>): ResolvedOptions<E> {
  checkOptions(table, given);
  const resolved: Record<string, unknown> = {};
  for (const [key, declared] of Object.entries(table.entries)) resolved[key] = (given as Record<string, unknown>)[key] ?? declared.default;
  return resolved as ResolvedOptions<E>;
}
