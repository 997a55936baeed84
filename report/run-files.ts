import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WitError } from '../core/index.js';
import type { ConfusionFile, EvalRecord, RetrievalExamplesFile } from '../eval/index.js';

/** One line of `metrics.jsonl`: numbers by key (`step`, `loss`, `lr`, ...). */
export type MetricRow = Record<string, number>;

/** What a run folder holds that the report shows; absent files give empty fields. */
export interface RunFiles {
  config: Record<string, unknown> | undefined;
  metrics: MetricRow[];
  evals: EvalRecord[];
  /** Confusion matrices by file name (as `files.confusion` of zero-shot records names them). */
  confusions: Map<string, ConfusionFile>;
  /** Retrieval examples by file name (as `files.examples` of retrieval records names them). */
  retrievalExamples: Map<string, RetrievalExamplesFile>;
}

export function readRunFiles(runDir: string): RunFiles {
  if (!existsSync(runDir)) throw new WitError(`run folder ${runDir} does not exist: give --run the folder \`wit train\` wrote.`);
  const config = readJson<Record<string, unknown>>(join(runDir, 'config.json'));
  const metrics = readJsonLines(join(runDir, 'metrics.jsonl')).map(numericFields);
  const evals = readJsonLines(join(runDir, 'evals.jsonl')) as unknown as EvalRecord[];
  const confusions = new Map<string, ConfusionFile>();
  const retrievalExamples = new Map<string, RetrievalExamplesFile>();
  for (const record of evals) {
    if (record.kind === 'zeroshot') readFileBeside(runDir, record.files.confusion, confusions);
    if (record.kind === 'retrieval' && record.files) readFileBeside(runDir, record.files.examples, retrievalExamples);
  }
  return { config, metrics, evals, confusions, retrievalExamples };
}

/** The last record of one kind of eval: the one the report shows. */
export function latestEval<K extends EvalRecord['kind']>(run: RunFiles, kind: K): Extract<EvalRecord, { kind: K }> | undefined {
  return run.evals.filter((record): record is Extract<EvalRecord, { kind: K }> => record.kind === kind).at(-1);
}

/** A JSON file an eval record names, into `files` by name; a file that is gone is left out. */
function readFileBeside<T>(runDir: string, name: string, files: Map<string, T>): void {
  if (files.has(name)) return;
  const file = readJson<T>(join(runDir, name));
  if (file) files.set(name, file);
}

export function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new WitError(`${path} is not valid JSON (${(error as Error).message}): rewrite it or remove it.`, { cause: error });
  }
}

/** The records of a JSON-lines file; a last line cut short by a kill is left out. */
function readJsonLines(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const value: unknown = line.trim() === '' ? undefined : JSON.parse(line);
        return value !== null && typeof value === 'object' ? [value as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
}

function numericFields(row: Record<string, unknown>): MetricRow {
  const out: MetricRow = {};
  for (const [key, value] of Object.entries(row)) if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
  return out;
}
