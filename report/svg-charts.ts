import { bin } from 'd3-array';
import { escapeHtml } from './html.js';
import { formatNumber, linearScale, logScale, type Scale } from './svg-scale.js';

/**
 * The report's charts as inline SVG strings: no script, no library, no
 * network. Every chart is `<svg class="chart" data-chart="NAME">`, which is
 * how the tests (and a reader's devtools) find them.
 */

const palette = ['#3b6fd8', '#e0703a', '#2a9d6f', '#b0479c', '#c9a227', '#5a5a6e'];

export interface LineSeries {
  name: string;
  points: Array<[x: number, y: number]>;
}

export interface LineChartOptions {
  /** The `data-chart` name. */
  name: string;
  title: string;
  series: LineSeries[];
  xLabel: string;
  yLabel: string;
  /** @default 'linear' */
  xScale?: 'linear' | 'log';
  /** @default 'linear' */
  yScale?: 'linear' | 'log';
  /** Pin the y range (e.g. [0, 1] for accuracies); else from the data. */
  yRange?: [number, number];
  /** Draw points as dots instead of a line. @default false */
  dots?: boolean;
}

const width = 520;
const height = 300;
const margin = { left: 66, right: 16, top: 34, bottom: 44 };

export function lineChart(options: LineChartOptions): string {
  const all = options.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [yMin, yMax] = options.yRange ?? [Math.min(...ys), Math.max(...ys)];
  const x = (options.xScale === 'log' ? logScale : linearScale)(Math.min(...xs), Math.max(...xs), margin.left, width - margin.right);
  const y = (options.yScale === 'log' ? logScale : linearScale)(yMin, yMax, height - margin.bottom, margin.top);
  const paths = options.series.map((s, i) => {
    const color = palette[i % palette.length]!;
    const points = s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
    if (options.dots) return points.map(([px, py]) => `<circle cx="${r(x(px))}" cy="${r(y(py))}" r="2.2" fill="${color}"/>`).join('');
    const d = points.map(([px, py], j) => `${j === 0 ? 'M' : 'L'}${r(x(px))},${r(y(py))}`).join('');
    return `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"><title>${escapeHtml(s.name)}</title></path>`;
  });
  return frame(
    options.name,
    options.title,
    [axes(x, y, options.xLabel, options.yLabel), ...paths, legend(options.series.map((s) => s.name))].join(''),
  );
}

export interface Bar {
  label: string;
  value: number;
  /** Shown after the bar instead of the value. */
  note?: string;
}

export interface BarChartOptions {
  name: string;
  title: string;
  bars: Bar[];
  /** Bars run from 0 to this; else the largest value. */
  maxValue?: number;
  /** e.g. percentages for accuracies. @default plain numbers */
  format?: (value: number) => string;
  /** Width of the label column in px. @default 170 */
  labelWidth?: number;
}

/** Horizontal bars, one row each, labels on the left: readable with 70 classes. */
export function barChart(options: BarChartOptions): string {
  const rowHeight = 18;
  const labelWidth = options.labelWidth ?? 170;
  const chartHeight = margin.top + options.bars.length * rowHeight + 12;
  const max = options.maxValue ?? Math.max(...options.bars.map((b) => b.value), 1e-12);
  const barSpace = width - labelWidth - 70;
  const format = options.format ?? ((v: number) => formatNumber(v, 1));
  const rows = options.bars.map((bar, i) => {
    const top = margin.top + i * rowHeight;
    const w = Math.max(0, (bar.value / max) * barSpace);
    return (
      `<text x="${labelWidth - 6}" y="${top + 13}" text-anchor="end">${escapeHtml(clip(bar.label, 28))}</text>` +
      `<rect x="${labelWidth}" y="${top + 2}" width="${r(w)}" height="${rowHeight - 5}" fill="${palette[0]}"><title>${escapeHtml(bar.label)}: ${escapeHtml(format(bar.value))}</title></rect>` +
      `<text x="${r(labelWidth + w + 5)}" y="${top + 13}" class="value">${escapeHtml(bar.note ?? format(bar.value))}</text>`
    );
  });
  return frame(options.name, options.title, rows.join(''), chartHeight);
}

export interface GroupedBarOptions {
  name: string;
  title: string;
  /** One cluster per group, one bar per series within it. */
  groups: Array<{ label: string; values: number[] }>;
  seriesNames: string[];
  yLabel: string;
  /** @default [0, max of the values] */
  yRange?: [number, number];
  format?: (value: number) => string;
}

/** Vertical bars in clusters: recall@k by direction, zero-shot vs linear probe. */
export function groupedBarChart(options: GroupedBarOptions): string {
  const values = options.groups.flatMap((g) => g.values);
  const [lo, hi] = options.yRange ?? [0, Math.max(...values, 1e-12)];
  const y = linearScale(lo, hi, height - margin.bottom, margin.top);
  const format = options.format ?? ((v: number) => formatNumber(v, 0.01));
  const slot = (width - margin.left - margin.right) / options.groups.length;
  const barWidth = Math.min(38, (slot * 0.8) / options.seriesNames.length);
  const bars = options.groups.map((group, g) => {
    const start = margin.left + g * slot + (slot - barWidth * group.values.length) / 2;
    const cluster = group.values.map((value, s) => {
      const top = y(value);
      const bx = start + s * barWidth;
      return (
        `<rect x="${r(bx)}" y="${r(top)}" width="${r(barWidth - 2)}" height="${r(y(lo) - top)}" fill="${palette[s % palette.length]}"><title>${escapeHtml(`${group.label} · ${options.seriesNames[s]}: ${format(value)}`)}</title></rect>` +
        `<text x="${r(bx + barWidth / 2 - 1)}" y="${r(top - 3)}" text-anchor="middle" class="value">${escapeHtml(format(value))}</text>`
      );
    });
    return `${cluster.join('')}<text x="${r(margin.left + g * slot + slot / 2)}" y="${height - margin.bottom + 16}" text-anchor="middle">${escapeHtml(group.label)}</text>`;
  });
  return frame(options.name, options.title, [yAxis(y, options.yLabel), ...bars, legend(options.seriesNames)].join(''));
}

export interface HeatmapOptions {
  name: string;
  title: string;
  labels: string[];
  /** `matrix[row][column]` counts; each row is shaded by its own total. */
  matrix: number[][];
  rowAxis: string;
  columnAxis: string;
  /** Each row's total for the shade and hover text (a cut-down matrix keeps its rows' full totals). @default the row's sum */
  rowTotals?: number[];
}

/** A confusion matrix: rows are true classes, columns predictions, shade = row share. */
export function heatmap(options: HeatmapOptions): string {
  const n = options.labels.length;
  const labelSpace = 150;
  const cell = Math.max(5, Math.min(22, Math.floor(560 / Math.max(n, 1))));
  const size = labelSpace + n * cell + 20;
  const cells: string[] = [];
  options.matrix.forEach((row, i) => {
    const total = options.rowTotals?.[i] ?? row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      if (count === 0) return;
      const share = count / total;
      const fill =
        i === j ? `rgba(42,157,111,${(0.15 + 0.85 * share).toFixed(3)})` : `rgba(224,112,58,${(0.15 + 0.85 * share).toFixed(3)})`;
      cells.push(
        `<rect x="${labelSpace + j * cell}" y="${labelSpace + i * cell}" width="${cell}" height="${cell}" fill="${fill}"><title>${escapeHtml(`${options.labels[i]} → ${options.labels[j]}: ${count} of ${total}`)}</title></rect>`,
      );
    });
  });
  const fontSize = Math.min(11, cell - 1);
  const names = options.labels.map((label, i) => {
    const mid = labelSpace + i * cell + cell / 2 + fontSize / 3;
    const text = escapeHtml(clip(label, 22));
    return (
      `<text x="${labelSpace - 4}" y="${r(mid)}" text-anchor="end" font-size="${fontSize}">${text}</text>` +
      `<text transform="translate(${r(mid)},${labelSpace - 4}) rotate(-90)" font-size="${fontSize}">${text}</text>`
    );
  });
  const grid = `<rect x="${labelSpace}" y="${labelSpace}" width="${n * cell}" height="${n * cell}" fill="none" stroke="#bbb"/>`;
  const axisNames = `<text x="4" y="14" class="axis-label">rows: ${escapeHtml(options.rowAxis)}; columns: ${escapeHtml(options.columnAxis)}</text>`;
  return (
    `<svg class="chart" data-chart="${options.name}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="img" aria-label="${escapeHtml(options.title)}">` +
    `<title>${escapeHtml(options.title)}</title>${axisNames}${grid}${cells.join('')}${names.join('')}</svg>`
  );
}

export interface RankChartOptions {
  name: string;
  title: string;
  /** One column each, drawn in the order given (sort them first); the label shows on hover. */
  bars: Bar[];
  yLabel: string;
  /** @default [0, the largest value] */
  yRange?: [number, number];
  format?: (value: number) => string;
}

/** Thin vertical columns in rank order, one per item, names on hover: 70 classes on one screen. */
export function rankChart(options: RankChartOptions): string {
  const [lo, hi] = options.yRange ?? [0, Math.max(...options.bars.map((b) => b.value), 1e-12)];
  const y = linearScale(lo, hi, height - margin.bottom, margin.top);
  const format = options.format ?? ((v: number) => formatNumber(v, 0.01));
  const slot = (width - margin.left - margin.right) / Math.max(1, options.bars.length);
  const columns = options.bars.map((bar, i) => {
    const top = y(bar.value);
    const text = `${bar.label}: ${bar.note ?? format(bar.value)}`;
    // A zero still gets a sliver, so every item has a mark to hover.
    const h = Math.max(1, y(lo) - top);
    return `<rect x="${r(margin.left + i * slot)}" y="${r(y(lo) - h)}" width="${r(Math.max(1, slot - 1))}" height="${r(h)}" fill="${palette[0]}"><title>${escapeHtml(text)}</title></rect>`;
  });
  const xLabel = `<text x="${(margin.left + width - margin.right) / 2}" y="${height - 14}" text-anchor="middle" class="axis-label">${options.bars.length} items, best first (hover for names)</text>`;
  return frame(options.name, options.title, [yAxis(y, options.yLabel), ...columns, xLabel].join(''));
}

export interface HistogramOptions {
  name: string;
  title: string;
  values: readonly number[];
  xLabel: string;
  /** Values above this fall in the last bin (shown as `max+`), so one huge outlier does not flatten the rest. */
  clipAt?: number;
  /** @default 30 */
  bins?: number;
}

/** Counts of values in round-edged bins (d3-array's `bin`), as columns; each column's range and count on hover. */
export function histogram(options: HistogramOptions): string {
  const clipAt = options.clipAt ?? Infinity;
  const values = options.values.map((v) => Math.min(v, clipAt));
  const bins = bin().thresholds(options.bins ?? 30)(values);
  const x = linearScale(bins[0]?.x0 ?? 0, bins.at(-1)?.x1 ?? 1, margin.left, width - margin.right);
  const y = linearScale(0, Math.max(1, ...bins.map((b) => b.length)), height - margin.bottom, margin.top);
  const columns = bins.map((b) => {
    const x0 = b.x0 ?? 0;
    const x1 = b.x1 ?? x0;
    const range = x1 >= clipAt ? `${formatNumber(x0, x1 - x0)}+` : `${formatNumber(x0, x1 - x0)}-${formatNumber(x1, x1 - x0)}`;
    const top = y(b.length);
    return `<rect x="${r(x(x0))}" y="${r(top)}" width="${r(Math.max(1, x(x1) - x(x0) - 1))}" height="${r(y(0) - top)}" fill="${palette[0]}"><title>${escapeHtml(`${range}: ${b.length.toLocaleString('en-US')}`)}</title></rect>`;
  });
  return frame(options.name, options.title, [axes(x, y, options.xLabel, 'count'), ...columns].join(''));
}

function frame(name: string, title: string, body: string, h = height): string {
  return (
    `<svg class="chart" data-chart="${name}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title><text x="${margin.left}" y="18" class="chart-title">${escapeHtml(title)}</text>${body}</svg>`
  );
}

function axes(x: Scale, y: Scale, xLabel: string, yLabel: string): string {
  const bottom = height - margin.bottom;
  const xTicks = x.ticks.map(
    (t) =>
      `<line x1="${r(x(t))}" x2="${r(x(t))}" y1="${bottom}" y2="${bottom + 4}" stroke="#888"/><text x="${r(x(t))}" y="${bottom + 16}" text-anchor="middle">${escapeHtml(x.format(t))}</text>`,
  );
  const xAxis =
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${bottom}" y2="${bottom}" stroke="#888"/>${xTicks.join('')}` +
    `<text x="${(margin.left + width - margin.right) / 2}" y="${height - 6}" text-anchor="middle" class="axis-label">${escapeHtml(xLabel)}</text>`;
  return xAxis + yAxis(y, yLabel);
}

function yAxis(y: Scale, label: string): string {
  const ticks = y.ticks.map(
    (t) =>
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${r(y(t))}" y2="${r(y(t))}" stroke="#eee"/><text x="${margin.left - 6}" y="${r(y(t) + 4)}" text-anchor="end">${escapeHtml(y.format(t))}</text>`,
  );
  const mid = (margin.top + height - margin.bottom) / 2;
  return (
    ticks.join('') +
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${height - margin.bottom}" stroke="#888"/>` +
    `<text transform="translate(13,${mid}) rotate(-90)" text-anchor="middle" class="axis-label">${escapeHtml(label)}</text>`
  );
}

function legend(names: string[]): string {
  if (names.length < 2) return '';
  let x = width - margin.right;
  const items = names
    .map((name, i) => ({ name, color: palette[i % palette.length]! }))
    .reverse()
    .map(({ name, color }) => {
      x -= name.length * 6.5 + 22;
      return `<rect x="${r(x)}" y="22" width="10" height="10" fill="${color}"/><text x="${r(x + 14)}" y="31">${escapeHtml(name)}</text>`;
    });
  return items.join('');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function r(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}
