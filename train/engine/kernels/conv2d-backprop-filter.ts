import { Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nhwcConvInfo } from './conv-info.js';
import { im2colTransposed } from './im2col.js';
import { heapFloats, heapView, matMulPlain, releaseView, type StockWasmKernels } from './wasm-ops.js';

/**
 * Floats of dy per product (1 MiB, a core's share of L2): XNNPACK streams the whole right-hand side
 * once per few output rows, so over the whole batch (dy of 4M floats at the model's second layer)
 * the product is memory-bound; smaller chunks pay more products and more partial sums.
 */
const chunkFloats = 262_144;

/**
 * The filter gradient (missing from tfjs-wasm 4.22): dW[K,cout] = Σ over image chunks of
 * im2col(x_chunk)ᵀ · dy_chunk on XNNPACK, each chunk's dy small enough to stay in cache and read in place.
 */
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
      const imagePositions = info.outHeight * info.outWidth;
      const imagePixels = info.inHeight * info.inWidth * info.inChannels;
      const imagesPerChunk = Math.max(1, Math.floor(chunkFloats / (imagePositions * info.outChannels)));
      const out = wasm.makeOutput([...convAttrs.filterShape], 'float32');
      heapFloats(wasm, out).fill(0);
      for (let first = 0; first < info.batchSize; first += imagesPerChunk) {
        const images = Math.min(imagesPerChunk, info.batchSize - first);
        const positions = images * imagePositions;
        const colT = wasm.makeOutput([patchSize, positions], 'float32');
        const dyChunk = heapView(wasm, dy, first * imagePositions * info.outChannels, [positions, info.outChannels]);
        const chunkInfo = { ...info, batchSize: images };
        im2colTransposed(
          heapFloats(wasm, x).subarray(first * imagePixels, (first + images) * imagePixels),
          chunkInfo,
          heapFloats(wasm, colT),
        );
        const product = matMulPlain(stock, wasm, colT, dyChunk);
        const total = heapFloats(wasm, out);
        const part = heapFloats(wasm, product);
        for (let i = 0; i < total.length; i++) total[i] = total[i]! + part[i]!;
        releaseView(wasm, dyChunk);
        for (const temporary of [colT, product]) wasm.disposeData(temporary.dataId);
      }
      return out;
    },
  };
}
