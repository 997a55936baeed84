import { Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from './wasm-ops.js';

/** Whether `axes` are exactly the leading axes 0..k-1 of a rank-`rank` tensor, k < rank. */
function leadingAxes(axes: number[], rank: number): number {
  const sorted = [...axes].sort((a, b) => a - b);
  return sorted.every((axis, i) => axis === i) && sorted.length < rank ? sorted.length : 0;
}

/** Float64 totals of each column of a rows x width matrix, four rows per pass (half the loads and stores of one). */
function columnTotals(values: Float32Array, rows: number, width: number): Float64Array {
  const totals = new Float64Array(width);
  let row = 0;
  for (; row + 4 <= rows; row += 4) {
    const at = row * width;
    for (let j = 0; j < width; j++) {
      totals[j]! += values[at + j]! + values[at + width + j]! + values[at + 2 * width + j]! + values[at + 3 * width + j]!;
    }
  }
  for (; row < rows; row++) {
    for (let j = 0, at = row * width; j < width; j++, at++) totals[j]! += values[at]!;
  }
  return totals;
}

/**
 * Sum for wasm that reduces leading axes (a bias gradient: NHWC summed over N, H, W) in one pass;
 * the stock kernel first transposes the reduced axes to the end. Other reductions go to the stock kernel.
 */
export function makeSumKernel(stockSum: KernelFunc): KernelConfig {
  return {
    kernelName: Sum,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const wasm = args.backend as BackendWasm;
      const { x } = args.inputs as { x: TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as SumAttrs;
      const axes = util.parseAxisParam(axis, x.shape);
      const reduced = leadingAxes(axes, x.shape.length);
      if (x.dtype !== 'float32' || reduced === 0) return stockSum(args);
      const kept = x.shape.slice(reduced);
      const width = util.sizeFromShape(kept);
      const rows = util.sizeFromShape(x.shape.slice(0, reduced));
      const totals = columnTotals(heapFloats(wasm, x), rows, width);
      const out = wasm.makeOutput(keepDims ? [...x.shape.slice(0, reduced).map(() => 1), ...kept] : kept, 'float32');
      heapFloats(wasm, out).set(totals);
      return out;
    },
  };
}
