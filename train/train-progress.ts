import { formatDuration, TerminalLine, type ProgressField } from '../core/index.js';
import type { StepMetrics } from './metrics-log.js';

export interface TrainProgressOptions {
  /** @default process.stderr */
  stream?: NodeJS.WriteStream;
  /**
   * Minimum time between lines when the stream is not a terminal.
   * @default 10000
   */
  pipedIntervalMillis?: number;
}

/**
 * The training progress line: the metrics.jsonl keys plus ETA, redrawn in
 * place on a terminal (cut to its width, see `trainFields`), a plain line
 * every `pipedIntervalMillis` when piped.
 */
export class TrainProgress {
  private readonly startedAt = Date.now();
  private first: { step: number; atMillis: number } | undefined;
  private lastPrintAt = 0;
  private last: { metrics: StepMetrics; totalSteps: number } | undefined;
  private readonly terminal: TerminalLine;

  constructor(private readonly options: TrainProgressOptions = {}) {
    this.terminal = new TerminalLine(options.stream ?? process.stderr);
  }

  readonly update = (metrics: StepMetrics, totalSteps: number): void => {
    this.first ??= { step: metrics.step, atMillis: Date.now() };
    this.last = { metrics, totalSteps };
    const now = Date.now();
    const final = metrics.step === totalSteps;
    if (!final && now - this.lastPrintAt < (this.terminal.tty ? 0 : (this.options.pipedIntervalMillis ?? 10_000))) return;
    this.lastPrintAt = now;
    this.print();
  };

  /** A message between progress lines (on a terminal, the line is redrawn below it). */
  readonly log = (message: string): void => {
    this.terminal.message(message);
    if (this.terminal.tty && this.last) this.print();
  };

  /** Ends the line on a terminal. */
  finish(): void {
    this.terminal.end();
  }

  private print(): void {
    const { metrics, totalSteps } = this.last!;
    const { step, atMillis } = this.first!;
    const secsPerStep = (Date.now() - atMillis) / 1000 / (metrics.step - step);
    const etaSecs = metrics.step < totalSteps && metrics.step > step ? (totalSteps - metrics.step) * secsPerStep : undefined;
    this.terminal.draw(trainFields(metrics, totalSteps, etaSecs, (Date.now() - this.startedAt) / 1000));
  }
}

/**
 * The metrics.jsonl keys of a step, ETA and elapsed time. On a narrow
 * terminal they go in this order: elapsed, temperature, lr, epoch, t2i_acc,
 * i2t_acc, samples_per_sec, ETA, loss; the step stays.
 */
function trainFields(metrics: StepMetrics, totalSteps: number, etaSecs: number | undefined, elapsedSecs: number): ProgressField[] {
  const fields: ProgressField[] = [
    { text: `train: step ${metrics.step}/${totalSteps}`, keep: 9 },
    { text: `epoch ${metrics.epoch.toFixed(2)}`, keep: 3 },
    { text: `loss ${metrics.loss.toFixed(4)}`, keep: 8 },
    { text: `lr ${metrics.lr.toExponential(2)}`, keep: 2 },
    { text: `temperature ${metrics.temperature.toFixed(2)}`, keep: 1 },
    { text: `i2t_acc ${metrics.i2t_acc.toFixed(3)}`, keep: 5 },
    { text: `t2i_acc ${metrics.t2i_acc.toFixed(3)}`, keep: 4 },
    { text: `samples_per_sec ${metrics.samples_per_sec.toFixed(1)}`, keep: 6 },
  ];
  if (etaSecs !== undefined) fields.push({ text: `ETA ${formatDuration(etaSecs)}`, keep: 7 });
  fields.push({ text: `elapsed ${formatDuration(elapsedSecs)}`, keep: 0 });
  return fields;
}
