/** Axis scales and tick values for the report's SVG charts. */

export interface Scale {
  (value: number): number;
  ticks: number[];
  format: (value: number) => string;
}

/** A linear map of [min, max] onto [from, to] with about `count` round ticks. */
export function linearScale(min: number, max: number, from: number, to: number, count = 5): Scale {
  if (min === max) [min, max] = min === 0 ? [0, 1] : [Math.min(0, min), Math.max(0, max) || 1];
  const step = niceStep((max - min) / count);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const scale = ((value: number) => from + ((value - lo) / (hi - lo)) * (to - from)) as Scale;
  scale.ticks = [];
  for (let t = lo; t <= hi + step / 2; t += step) scale.ticks.push(Number(t.toPrecision(12)));
  scale.format = (value) => formatNumber(value, step);
  return scale;
}

/** A log10 map of [min, max] (both > 0) onto [from, to], ticks at powers of ten. */
export function logScale(min: number, max: number, from: number, to: number): Scale {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-12)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(max, 1e-12))));
  const scale = ((value: number) => from + ((Math.log10(Math.max(value, 10 ** lo)) - lo) / (hi - lo)) * (to - from)) as Scale;
  scale.ticks = [];
  for (let p = lo; p <= hi; p++) scale.ticks.push(10 ** p);
  scale.format = (value) => formatNumber(value, value);
  return scale;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** `1.5k`, `20k`, `3M` for big values; decimals only as fine as the tick step. */
export function formatNumber(value: number, step: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  const decimals = Math.min(4, Math.max(0, -Math.floor(Math.log10(Math.abs(step) || 1))));
  return value.toFixed(decimals);
}

function trim(value: number): string {
  return Number(value.toFixed(1)).toString();
}
