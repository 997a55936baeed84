import { formatDuration } from '../db/index.js';
import { formatStepMetrics, type StepMetrics } from './metrics-log.js';

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
 * place on a terminal, a plain line every `pipedIntervalMillis` when piped.
 */
export class TrainProgress {
  private readonly startedAt = Date.now();
  private first: { step: number; atMillis: number } | undefined;
  private lastPrintAt = 0;
  private last: { metrics: StepMetrics; totalSteps: number } | undefined;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly options: TrainProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
  }

  readonly update = (metrics: StepMetrics, totalSteps: number): void => {
    this.first ??= { step: metrics.step, atMillis: Date.now() };
    this.last = { metrics, totalSteps };
    const now = Date.now();
    const final = metrics.step === totalSteps;
    if (!final && now - this.lastPrintAt < (this.tty ? 0 : (this.options.pipedIntervalMillis ?? 10_000))) return;
    this.lastPrintAt = now;
    this.print();
  };

  /** A message between progress lines (on a terminal, the line is redrawn below it). */
  readonly log = (message: string): void => {
    this.stream.write(this.tty ? `\r\x1b[K${message}\n` : `${message}\n`);
    if (this.tty && this.last) this.print();
  };

  /** Ends the line on a terminal. */
  finish(): void {
    if (this.tty && this.last) this.stream.write('\n');
  }

  private print(): void {
    const { metrics, totalSteps } = this.last!;
    const elapsedSecs = (Date.now() - this.startedAt) / 1000;
    const { step, atMillis } = this.first!;
    const secsPerStep = (Date.now() - atMillis) / 1000 / (metrics.step - step);
    const eta = metrics.step < totalSteps && metrics.step > step ? ` | ETA ${formatDuration((totalSteps - metrics.step) * secsPerStep)}` : '';
    const line = `train: ${formatStepMetrics(metrics, totalSteps)}${eta} | elapsed ${formatDuration(elapsedSecs)}`;
    this.stream.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
  }
}
