import { Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nhwcConvInfo } from './conv-info.js';
import { col2imAdd } from './im2col.js';
import { heapFloats, matMulPlain, transposeLastTwo, withShape, type StockWasmKernels } from './wasm-ops.js';

/**
 * The input gradient as dy · Wᵀ on XNNPACK, then col2im; the stock wasm kernel is a naive loop.
 */
export function makeConv2DBackpropInputKernel(stock: StockWasmKernels): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as BackendWasm;
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const convAttrs = attrs as unknown as Conv2DBackpropInputAttrs;
      const info = nhwcConvInfo(Conv2DBackpropInput, convAttrs.inputShape, filter.shape, convAttrs);
      const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
      const positions = info.batchSize * info.outHeight * info.outWidth;
      const filterT = transposeLastTwo(stock, wasm, withShape(filter, [patchSize, info.outChannels]));
      const col = matMulPlain(stock, wasm, withShape(dy, [positions, info.outChannels]), filterT);
      wasm.disposeData(filterT.dataId);
      const dx = wasm.makeOutput([...convAttrs.inputShape], 'float32');
      const dxValues = heapFloats(wasm, dx);
      dxValues.fill(0);
      col2imAdd(heapFloats(wasm, col), info, dxValues);
      wasm.disposeData(col.dataId);
      return dx;
    },
  };
}
