import { Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from './wasm-ops.js';

/** Whether `axes` are exactly the leading axes 0..k-1 of a rank-`rank` tensor, k < rank. */
function leadingAxes(axes: number[], rank: number): number {
  const sorted = [...axes].sort((a, b) => a - b);
  return sorted.every((axis, i) => axis === i) && sorted.length < rank ? sorted.length : 0;
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
      const totals = new Float64Array(width);
      const values = heapFloats(wasm, x);
      for (let row = 0, at = 0; row < rows; row++) {
        for (let j = 0; j < width; j++, at++) totals[j] = totals[j]! + values[at]!;
      }
      const out = wasm.makeOutput(keepDims ? [...x.shape.slice(0, reduced).map(() => 1), ...kept] : kept, 'float32');
      heapFloats(wasm, out).set(totals);
      return out;
    },
  };
}
