/** What a long-running stage reports; the CLI turns it into a progress line. */
export interface ProgressUpdate {
  /** Units finished so far (pages, images, bytes, steps, ...). */
  done: number;
  /** Units in all, when known: gives a percentage and an ETA. */
  total?: number;
  /** Named counters shown after the rate, e.g. `{ pairs: 1200, failed: 3 }`. */
  counts?: Record<string, number>;
}

export type ProgressSink = (update: ProgressUpdate) => void;

export interface ProgressLineOptions {
  /** What is being counted, e.g. `pages` or `MB`. */
  unit: string;
  /** Leading label, e.g. `crawl`. */
  label: string;
  stream?: NodeJS.WriteStream;
  /**
   * Minimum time between lines when the stream is not a terminal.
   * @default 10000
   */
  pipedIntervalMillis?: number;
}

/**
 * A steady line of counts, rate and ETA: redrawn in place on a terminal, one
 * plain line every `pipedIntervalMillis` when piped or logged.
 */
export class ProgressLine {
  private readonly startedAt = Date.now();
  private lastPrintAt = 0;
  private last: ProgressUpdate = { done: 0 };
  private lastPrinted: ProgressUpdate | undefined;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly options: ProgressLineOptions) {
    this.stream = options.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
  }

  readonly update: ProgressSink = (update) => {
    this.last = update;
    const now = Date.now();
    const interval = this.tty ? 200 : (this.options.pipedIntervalMillis ?? 10_000);
    if (now - this.lastPrintAt < interval) return;
    this.lastPrintAt = now;
    this.print();
  };

  /** Prints the final state, unless that line is already out, and ends the line. */
  finish(): void {
    if (this.last !== this.lastPrinted) this.print();
    if (this.tty) this.stream.write('\n');
  }

  private print(): void {
    this.lastPrinted = this.last;
    const line = formatProgress(this.options, this.last, (Date.now() - this.startedAt) / 1000);
    this.stream.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
  }
}

export function formatProgress(
  options: Pick<ProgressLineOptions, 'label' | 'unit'>,
  update: ProgressUpdate,
  elapsedSecs: number,
): string {
  const rate = elapsedSecs > 0 ? update.done / elapsedSecs : 0;
  const parts = [`${options.label}: ${formatCount(update.done)}`];
  if (update.total !== undefined) {
    const percent = update.total > 0 ? (100 * update.done) / update.total : 100;
    parts[0] += `/${formatCount(update.total)} ${options.unit} (${percent.toFixed(1)}%)`;
  } else {
    parts[0] += ` ${options.unit}`;
  }
  parts.push(`${formatCount(rate)} ${options.unit}/s`);
  for (const [name, value] of Object.entries(update.counts ?? {})) parts.push(`${name} ${formatCount(value)}`);
  if (update.total !== undefined && rate > 0) parts.push(`ETA ${formatDuration((update.total - update.done) / rate)}`);
  parts.push(`elapsed ${formatDuration(elapsedSecs)}`);
  return parts.join(' | ');
}

function formatCount(value: number): string {
  if (!Number.isInteger(value)) return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
  return value.toLocaleString('en-US');
}

export function formatDuration(secs: number): string {
  if (!Number.isFinite(secs)) return '?';
  const s = Math.max(0, Math.round(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}
