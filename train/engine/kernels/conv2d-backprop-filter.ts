import { Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nhwcConvInfo } from './conv-info.js';
import { im2colTransposed } from './im2col.js';
import { heapFloats, matMulPlain, withShape, type StockWasmKernels } from './wasm-ops.js';

/** The filter gradient (missing from tfjs-wasm 4.22): dW[K,cout] = im2col(x)ᵀ · dy, on XNNPACK. */
export function makeConv2DBackpropFilterKernel(stock: StockWasmKernels): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as BackendWasm;
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const convAttrs = attrs as unknown as Conv2DBackpropFilterAttrs;
      const info = nhwcConvInfo(Conv2DBackpropFilter, x.shape, convAttrs.filterShape, convAttrs);
      const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
      const positions = info.batchSize * info.outHeight * info.outWidth;
      const colT = wasm.makeOutput([patchSize, positions], 'float32');
      im2colTransposed(heapFloats(wasm, x), info, heapFloats(wasm, colT));
      const out = matMulPlain(stock, wasm, colT, withShape(dy, [positions, info.outChannels]));
      wasm.disposeData(colT.dataId);
      return withShape(out, [...convAttrs.filterShape]);
    },
  };
}
