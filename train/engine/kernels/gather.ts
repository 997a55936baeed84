import { GatherV2, util, type GatherV2Attrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * GatherV2 for wasm that copies whole rows (axis 0, no batch dims: an embedding lookup) with
 * one memcpy per index; the stock kernel walks element by element. Other gathers go to the stock kernel.
 */
export function makeGatherKernel(stockGather: KernelFunc): KernelConfig {
  return {
    kernelName: GatherV2,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const wasm = args.backend as BackendWasm;
      const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
      const { axis, batchDims } = args.attrs as unknown as GatherV2Attrs;
      const parsedAxis = util.parseAxisParam(axis, x.shape)[0];
      if (parsedAxis !== 0 || batchDims !== 0 || x.dtype !== 'float32' || indices.dtype !== 'int32') return stockGather(args);
      const rowSize = util.sizeFromShape(x.shape.slice(1));
      const rows = x.shape[0]!;
      const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], 'float32');
      const source = wasm.typedArrayFromHeap(x) as Float32Array;
      const ids = wasm.typedArrayFromHeap(indices) as Int32Array;
      const target = wasm.typedArrayFromHeap(out) as Float32Array;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (id < 0 || id >= rows) throw new Error(`GatherV2: index ${id} is outside [0, ${rows}).`);
        target.set(source.subarray(id * rowSize, (id + 1) * rowSize), i * rowSize);
      }
      return out;
    },
  };
}
