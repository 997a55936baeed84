/**
 * Embeddings are row-major Float32Arrays, `count × dim`, as the engine returns
 * them. These helpers are the small linear algebra evaluation needs.
 */

/** L2-normalises each row in place; a row of zeros (or NaN) becomes zeros. */
export function normalizeRows(rows: Float32Array, dim: number): Float32Array {
  for (let offset = 0; offset < rows.length; offset += dim) {
    let sumSquares = 0;
    for (let k = 0; k < dim; k++) sumSquares += rows[offset + k]! * rows[offset + k]!;
    const norm = Math.sqrt(sumSquares);
    const scale = norm > 0 && Number.isFinite(norm) ? 1 / norm : 0;
    for (let k = 0; k < dim; k++) rows[offset + k] = rows[offset + k]! * scale;
  }
  return rows;
}

/** `a · bᵀ`: every row of `a` (n × dim) against every row of `b` (m × dim), n × m. */
export function dotRows(a: Float32Array, b: Float32Array, dim: number): Float32Array {
  const n = a.length / dim;
  const m = b.length / dim;
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) out[i * m + j] = dot(a, i * dim, b, j * dim, dim);
  }
  return out;
}

export function dot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, dim: number): number {
  let sum = 0;
  for (let k = 0; k < dim; k++) sum += a[aOffset + k]! * b[bOffset + k]!;
  return sum;
}
