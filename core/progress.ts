/** What a long-running stage reports; the CLI turns it into a progress line. */
export interface ProgressUpdate {
  /** Units finished so far (pages, images, bytes, steps, ...). */
  done: number;
  /** Units in all, when known: gives a percentage and an ETA. */
  total?: number;
  /** Named counters shown after the rate, e.g. `{ pairs: 1200, failed: 3 }`. */
  counts?: Record<string, number>;
  /** Other per-second rates, shown as `1.5 pairs/s`, e.g. `{ pairs: 1.5 }`. */
  rates?: Record<string, number>;
}

export type ProgressSink = (update: ProgressUpdate) => void;

export interface ProgressLineOptions {
  /** What is being counted, e.g. `pages`; `bytes` shows sizes as kB, MB, GB. */
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

/** One ` | `-separated field of a progress line; when the line is too wide, fields with the lowest `keep` go first. */
export interface ProgressField {
  text: string;
  keep: number;
}

/**
 * A steady line of counts, rate and ETA: redrawn in place on a terminal (cut
 * to its width, see `formatProgressFields` for what goes first), one plain
 * line every `pipedIntervalMillis` when piped or logged.
 */
export class ProgressLine {
  private readonly startedAt = Date.now();
  private lastPrintAt = 0;
  private last: ProgressUpdate = { done: 0 };
  private lastPrinted: ProgressUpdate | undefined;
  private readonly terminal: TerminalLine;

  constructor(private readonly options: ProgressLineOptions) {
    this.terminal = new TerminalLine(options.stream ?? process.stderr);
  }

  readonly update: ProgressSink = (update) => {
    // A copy: a stage may pass the one counter it goes on changing, whose last state must still be printed.
    this.last = { ...update, ...(update.counts && { counts: { ...update.counts } }), ...(update.rates && { rates: { ...update.rates } }) };
    const now = Date.now();
    const interval = this.terminal.tty ? 200 : (this.options.pipedIntervalMillis ?? 10_000);
    if (now - this.lastPrintAt < interval) return;
    this.lastPrintAt = now;
    this.print();
  };

  /** Prints the final state, unless a line with the same figures is already out, and ends the line. */
  finish(): void {
    if (this.lastPrinted === undefined || JSON.stringify(this.last) !== JSON.stringify(this.lastPrinted)) this.print();
    this.terminal.end();
  }

  private print(): void {
    this.lastPrinted = this.last;
    this.terminal.draw(formatProgressFields(this.options, this.last, (Date.now() - this.startedAt) / 1000));
  }
}

/**
 * Where a progress line goes: on a terminal, redrawn in place and cut to one
 * row of its width (so it never wraps and scrolls); piped, one whole line each time.
 */
export class TerminalLine {
  readonly tty: boolean;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.tty = stream.isTTY === true;
  }

  draw(fields: readonly ProgressField[]): void {
    if (!this.tty) {
      this.stream.write(`${fields.map((field) => field.text).join(separator)}\n`);
      return;
    }
    // One column short of the width: some terminals wrap as soon as the last column is written.
    this.stream.write(`\r\x1b[K${fitFields(fields, (this.stream.columns || 80) - 1)}`);
    this.drawn = true;
  }

  /** A whole line of its own above the progress line, which the next `draw` redraws. */
  message(text: string): void {
    this.stream.write(this.tty && this.drawn ? `\r\x1b[K${text}\n` : `${text}\n`);
  }

  /** Ends the redrawn line, so that what follows starts on a row of its own. */
  end(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

const separator = ' | ';
const ellipsis = '…';

/**
 * The fields joined, dropping the lowest `keep` first (the later of equals
 * first) until the line is at most `width` characters; the last field left is
 * cut with an ellipsis if it alone is too wide.
 */
export function fitFields(fields: readonly ProgressField[], width: number): string {
  const kept = [...fields];
  const join = () => kept.map((field) => field.text).join(separator);
  while (kept.length > 1 && join().length > width) {
    let drop = kept.length - 1;
    for (let i = kept.length - 1; i >= 0; i--) if (kept[i]!.keep < kept[drop]!.keep) drop = i;
    kept.splice(drop, 1);
  }
  const line = join();
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - ellipsis.length))}${ellipsis}`;
}

export function formatProgress(options: Pick<ProgressLineOptions, 'label' | 'unit'>, update: ProgressUpdate, elapsedSecs: number): string {
  return formatProgressFields(options, update, elapsedSecs)
    .map((field) => field.text)
    .join(separator);
}

/**
 * The fields of a progress line. On a narrow terminal they go in this order:
 * elapsed time first, then the other rates, then the named counts from the
 * last to the first, then the main rate, then the ETA; the label with
 * done/total and percentage stays.
 */
export function formatProgressFields(
  options: Pick<ProgressLineOptions, 'label' | 'unit'>,
  update: ProgressUpdate,
  elapsedSecs: number,
): ProgressField[] {
  const bytes = options.unit === 'bytes';
  const amount = (value: number) => (bytes ? formatBytes(value) : formatCount(value));
  const unit = bytes ? '' : ` ${options.unit}`;
  const rate = elapsedSecs > 0 ? update.done / elapsedSecs : 0;
  let head = `${options.label}: ${amount(update.done)}`;
  if (update.total !== undefined) {
    const percent = update.total > 0 ? (100 * update.done) / update.total : 100;
    head += `/${amount(update.total)}${unit} (${percent.toFixed(1)}%)`;
  } else {
    head += unit;
  }
  const fields: ProgressField[] = [{ text: head, keep: 5 }];
  fields.push({ text: bytes ? `${formatBytes(rate)}/s` : `${formatRate(rate)} ${options.unit}/s`, keep: 3 });
  for (const [name, value] of Object.entries(update.rates ?? {})) fields.push({ text: `${formatRate(value)} ${name}/s`, keep: 1 });
  for (const [name, value] of Object.entries(update.counts ?? {})) fields.push({ text: `${name} ${formatCount(value)}`, keep: 2 });
  if (update.total !== undefined && update.done < update.total && rate > 0)
    fields.push({ text: `ETA ${formatDuration((update.total - update.done) / rate)}`, keep: 4 });
  fields.push({ text: `elapsed ${formatDuration(elapsedSecs)}`, keep: 0 });
  return fields;
}

function formatCount(value: number): string {
  if (!Number.isInteger(value)) return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
  return value.toLocaleString('en-US');
}

/** Two significant digits below 10 (0.042, 3.5), whole numbers above: a slow rate never shows as 0.0. */
function formatRate(perSec: number): string {
  if (perSec === 0 || perSec >= 10) return Math.round(perSec).toLocaleString('en-US');
  return Number(perSec.toPrecision(2)).toString();
}

/** `812 B`, `4.2 kB`, `31 MB`, `1.6 GB` (powers of 1000, as disks and networks count). */
function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let index = 0;
  while (value >= 1000 && index < units.length - 1) {
    value /= 1000;
    index++;
  }
  const digits = index === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[index]}`;
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
