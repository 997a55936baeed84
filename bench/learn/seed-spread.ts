/** Mean and sample standard deviation of per-seed figures, as "12.3 ± 1.4" (in points when `scale` is 100). */
export function meanSpread(values: readonly number[], scale = 100): string {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return (scale * mean).toFixed(1);
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return `${(scale * mean).toFixed(1)} ± ${(scale * Math.sqrt(variance)).toFixed(1)}`;
}
