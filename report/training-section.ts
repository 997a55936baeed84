import { factTable, figureRow, missing, type Section } from './html.js';
import type { MetricRow, RunFiles } from './run-files.js';
import { lineChart, type LineSeries } from './svg-charts.js';

/** Keys of `metrics.jsonl` the charts read, most specific first. */
const stepKeys = ['step'];
const temperatureKeys = ['temperature', 'logit_scale'];
const throughputKeys = ['samples_per_sec'];
/** Keys of the validation line written after the last step. */
const validationKey = /^val_/;

/** Loss, temperature, in-batch accuracy and learning-rate curves from `metrics.jsonl`; the run's config. */
export function trainingSection(run: RunFiles): Section {
  const parts: string[] = [];
  const facts = configFacts(run.config);
  const steps = run.metrics.filter((row) => !Object.keys(row).some((k) => validationKey.test(k)));
  const validation = run.metrics.filter((row) => Object.keys(row).some((k) => validationKey.test(k))).at(-1);
  const last = steps.at(-1);
  if (last) facts.push(...lastStepFacts(last));
  if (validation) facts.push(...validationFacts(validation));
  if (facts.length > 0) parts.push(factTable(facts));
  if (!run.config) parts.push(missing('config.json in the run folder', 'the run folder should be the one `wit train` wrote.'));
  if (steps.length === 0) {
    parts.push(missing('training metrics (metrics.jsonl)', 'run `wit train` to completion, or at least past its first logged step.'));
    return { id: 'training', title: 'Training', body: parts.join('\n') };
  }
  const charts = [
    curve('loss', 'Contrastive loss', 'loss', series(steps, ['loss'])),
    curve('temperature', 'Learned temperature (logit scale)', 'logit scale', series(steps, temperatureKeys)),
    curve('accuracy', 'In-batch accuracy', 'accuracy', accuracySeries(steps), [0, 1]),
    curve('learning-rate', 'Learning rate', 'learning rate', series(steps, ['lr'])),
    curve('throughput', 'Throughput', 'samples/s', series(steps, throughputKeys)),
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

/** Every key that names an accuracy (`i2t_acc`, `t2i_acc`), one series each. */
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

/** The settings worth a glance, by their path in `config.json`. */
const configPaths: Array<[path: string, label: string]> = [
  ['data.trainSamples', 'train samples'],
  ['data.stepsPerEpoch', 'steps per epoch'],
  ['train.totalSteps', 'steps'],
  ['train.batchSize', 'batch size'],
  ['train.lr', 'peak learning rate'],
  ['train.warmupSteps', 'warmup steps'],
  ['train.weightDecay', 'weight decay'],
  ['model.imageSize', 'image size (px)'],
  ['model.vocabSize', 'vocabulary (words)'],
  ['model.embedDim', 'embedding width'],
];

function configFacts(config: Record<string, unknown> | undefined): Array<[string, string]> {
  if (!config) return [];
  return configPaths.flatMap(([path, label]) => {
    const value = path
      .split('.')
      .reduce<unknown>(
        (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
        config,
      );
    return typeof value === 'number' || typeof value === 'string'
      ? [[label, typeof value === 'number' ? formatMetric(value) : value] as [string, string]]
      : [];
  });
}

function lastStepFacts(last: MetricRow): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const key of ['step', 'epoch', 'loss']) if (last[key] !== undefined) rows.push([`last ${key}`, formatMetric(last[key]!)]);
  return rows;
}

function validationFacts(row: MetricRow): Array<[string, string]> {
  const batch = row.val_batch === undefined ? '' : ` (batches of ${row.val_batch}, chance ${(100 / row.val_batch).toFixed(1)}%)`;
  return Object.entries(row)
    .filter(([k]) => /^val_.*acc/.test(k))
    .map(([k, v]) => [`${k.replace(/^val_/, 'val in-batch ')}${batch}`, `${(100 * v).toFixed(1)}%`]);
}

function formatMetric(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : String(Number(value.toPrecision(4)));
}
