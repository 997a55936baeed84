import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WitError } from '../core/index.js';
import type { ConfusionFile, EvalRecord } from '../eval/index.js';

/** One line of `metrics.jsonl`: numbers by key (`step`, `loss`, `lr`, ...). */
export type MetricRow = Record<string, number>;

/** What a run folder holds that the report shows; absent files give empty fields. */
export interface RunFiles {
  config: Record<string, unknown> | undefined;
  metrics: MetricRow[];
  evals: EvalRecord[];
  /** Confusion matrices by file name (as `files.confusion` of zero-shot records names them). */
  confusions: Map<string, ConfusionFile>;
}

export function readRunFiles(runDir: string): RunFiles {
  if (!existsSync(runDir)) throw new WitError(`run folder ${runDir} does not exist: give --run the folder \`wit train\` wrote.`);
  const config = readJson<Record<string, unknown>>(join(runDir, 'config.json'));
  const metrics = readJsonLines(join(runDir, 'metrics.jsonl')).map(numericFields);
  const evals = readJsonLines(join(runDir, 'evals.jsonl')) as unknown as EvalRecord[];
  const confusions = new Map<string, ConfusionFile>();
  for (const record of evals) {
    if (record.kind !== 'zeroshot' || confusions.has(record.files.confusion)) continue;
    const file = readJson<ConfusionFile>(join(runDir, record.files.confusion));
    if (file) confusions.set(record.files.confusion, file);
  }
  return { config, metrics, evals, confusions };
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
