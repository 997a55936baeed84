import { factTable, figureRow, missing, type Section } from './html.js';
import type { MetricRow, RunFiles } from './run-files.js';
import { lineChart, type LineSeries } from './svg-charts.js';

/** Keys of `metrics.jsonl` the charts read, most specific first. */
const stepKeys = ['step'];
const temperatureKeys = ['temperature', 'logitScale', 'logit_scale'];
const throughputKeys = ['samplesPerSec', 'samples_per_sec', 'samples/s'];

/** Loss, temperature, in-batch accuracy and learning-rate curves from `metrics.jsonl`; the run's config. */
export function trainingSection(run: RunFiles): Section {
  const parts: string[] = [];
  const facts = configFacts(run.config);
  const last = run.metrics.at(-1);
  if (last) facts.push(...lastStepFacts(last));
  if (facts.length > 0) parts.push(factTable(facts));
  if (!run.config) parts.push(missing('config.json in the run folder', 'the run folder should be the one `wit train` wrote.'));
  if (run.metrics.length === 0) {
    parts.push(missing('training metrics (metrics.jsonl)', 'run `wit train` to completion, or at least past its first logged step.'));
    return { id: 'training', title: 'Training', body: parts.join('\n') };
  }
  const charts = [
    curve('loss', 'Contrastive loss', 'loss', series(run.metrics, ['loss'])),
    curve('temperature', 'Learned temperature (logit scale)', 'logit scale', series(run.metrics, temperatureKeys)),
    curve('accuracy', 'In-batch accuracy', 'accuracy', accuracySeries(run.metrics), [0, 1]),
    curve('learning-rate', 'Learning rate', 'lr', series(run.metrics, ['lr', 'learningRate'])),
    curve('throughput', 'Throughput', 'samples/s', series(run.metrics, throughputKeys)),
  ].filter((c): c is string => c !== undefined);
  parts.push(figureRow(...charts));
  return { id: 'training', title: 'Training', body: parts.join('\n') };
}

function curve(name: string, title: string, yLabel: string, data: LineSeries[], yRange?: [number, number]): string | undefined {
  if (data.every((s) => s.points.length === 0)) return undefined;
  return lineChart({ name, title, series: data.filter((s) => s.points.length > 0), xLabel: 'step', yLabel, yRange });
}

/** The first of `keys` the rows carry, as one series against the step. */
function series(rows: MetricRow[], keys: string[]): LineSeries[] {
  const key = keys.find((k) => rows.some((row) => row[k] !== undefined));
  return key ? [{ name: key, points: pointsOf(rows, key) }] : [];
}

/** Every key that names an accuracy (`i2tAccuracy`, `t2i_acc`, ...), one series each. */
function accuracySeries(rows: MetricRow[]): LineSeries[] {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter((k) => /acc/i.test(k));
  return keys.map((key) => ({ name: key, points: pointsOf(rows, key) }));
}

function pointsOf(rows: MetricRow[], key: string): Array<[number, number]> {
  return rows.flatMap((row, i) => (row[key] === undefined ? [] : [[stepOf(row, i), row[key]!] as [number, number]]));
}

function stepOf(row: MetricRow, index: number): number {
  const key = stepKeys.find((k) => row[k] !== undefined);
  return key ? row[key]! : index;
}

function configFacts(config: Record<string, unknown> | undefined): Array<[string, string]> {
  if (!config) return [];
  const flat: Array<[string, string]> = [];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    } else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      flat.push([prefix, String(value)]);
    }
  };
  walk('', config);
  return flat.filter(([, v]) => v.length <= 80).slice(0, 24);
}

function lastStepFacts(last: MetricRow): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const key of ['step', 'epoch', 'loss']) if (last[key] !== undefined) rows.push([`last ${key}`, formatMetric(last[key]!)]);
  return rows;
}

function formatMetric(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toPrecision(4);
}
