/** A smooth objective: returns its value and writes its gradient at `x` into `gradient`. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /**
   * Most iterations (each one line search).
   * @default 300
   */
  maxIterations?: number;
  /**
   * Stop when the gradient's largest component falls below this.
   * @default 1e-5
   */
  gradientTolerance?: number;
  /**
   * Stop when the objective improves by less than this fraction in an iteration.
   * @default 1e-9
   */
  relativeTolerance?: number;
  /**
   * Correction pairs kept.
   * @default 10
   */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
}

/**
 * Limited-memory BFGS with a backtracking (Armijo) line search, minimising a
 * smooth convex objective from `start`. Deterministic: no randomness anywhere.
 */
export function minimizeLbfgs(objective: Objective, start: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIterations = options.maxIterations ?? 300;
  const gradientTolerance = options.gradientTolerance ?? 1e-5;
  const relativeTolerance = options.relativeTolerance ?? 1e-9;
  const memory = options.memory ?? 10;
  const n = start.length;
  let x: Float64Array = Float64Array.from(start);
  let gradient: Float64Array = new Float64Array(n);
  let value = objective(x, gradient);
  const steps: Float64Array[] = [];
  const gradientChanges: Float64Array[] = [];
  const rhos: number[] = [];
  let iterations = 0;
  while (iterations < maxIterations && maxAbs(gradient) > gradientTolerance) {
    iterations++;
    const direction = searchDirection(gradient, steps, gradientChanges, rhos);
    let slope = dotProduct(direction, gradient);
    if (slope >= 0) {
      // Not a descent direction (curvature went stale): restart from steepest descent.
      steps.length = gradientChanges.length = rhos.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -gradient[i]!;
      slope = dotProduct(direction, gradient);
    }
    const next = lineSearch(objective, x, value, direction, slope, steps.length === 0 ? 1 / Math.max(1, Math.sqrt(-slope)) : 1);
    if (!next) break;
    const step = new Float64Array(n);
    const change = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      step[i] = next.x[i]! - x[i]!;
      change[i] = next.gradient[i]! - gradient[i]!;
    }
    const curvature = dotProduct(step, change);
    if (curvature > 1e-12) {
      steps.push(step);
      gradientChanges.push(change);
      rhos.push(1 / curvature);
      if (steps.length > memory) {
        steps.shift();
        gradientChanges.shift();
        rhos.shift();
      }
    }
    const improvement = value - next.value;
    x = next.x;
    gradient = next.gradient;
    value = next.value;
    if (improvement <= relativeTolerance * Math.max(1, Math.abs(value))) break;
  }
  return { x, value, iterations };
}

/** The two-loop recursion: −H·g with H the L-BFGS inverse-Hessian estimate. */
function searchDirection(gradient: Float64Array, steps: Float64Array[], changes: Float64Array[], rhos: number[]): Float64Array {
  const q = Float64Array.from(gradient);
  const alphas = new Array<number>(steps.length);
  for (let m = steps.length - 1; m >= 0; m--) {
    const alpha = rhos[m]! * dotProduct(steps[m]!, q);
    alphas[m] = alpha;
    addScaled(q, changes[m]!, -alpha);
  }
  const last = steps.length - 1;
  const gamma = last >= 0 ? dotProduct(steps[last]!, changes[last]!) / dotProduct(changes[last]!, changes[last]!) : 1;
  for (let i = 0; i < q.length; i++) q[i] = q[i]! * gamma;
  for (let m = 0; m < steps.length; m++) {
    const beta = rhos[m]! * dotProduct(changes[m]!, q);
    addScaled(q, steps[m]!, alphas[m]! - beta);
  }
  for (let i = 0; i < q.length; i++) q[i] = -q[i]!;
  return q;
}

function lineSearch(
  objective: Objective,
  x: Float64Array,
  value: number,
  direction: Float64Array,
  slope: number,
  initialStep: number,
): { x: Float64Array; value: number; gradient: Float64Array } | null {
  const candidate = new Float64Array(x.length);
  const gradient = new Float64Array(x.length);
  let step = initialStep;
  for (let tries = 0; tries < 40; tries++) {
    for (let i = 0; i < x.length; i++) candidate[i] = x[i]! + step * direction[i]!;
    const candidateValue = objective(candidate, gradient);
    if (candidateValue <= value + 1e-4 * step * slope) return { x: candidate, value: candidateValue, gradient };
    step /= 2;
  }
  return null;
}

function dotProduct(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function addScaled(target: Float64Array, source: Float64Array, scale: number): void {
  for (let i = 0; i < target.length; i++) target[i]! += scale * source[i]!;
}

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (const value of values) max = Math.max(max, Math.abs(value));
  return max;
}
