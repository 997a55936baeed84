import {
  BatchMatMul,
  Concat,
  Conv2DBackpropFilter,
  PadV2,
  Reshape,
  StridedSlice,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelBackend,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { nhwcConvInfo } from './conv-info.js';

/** Looks up a stock tfjs-backend-webgpu kernel by name. */
export type StockKernels = (kernelName: string) => KernelFunc;

/**
 * The filter gradient as im2col and one matrix product, dW[K,cout] = patches(x)ᵀ · dy: the stock
 * webgpu kernel loops over batch and positions per filter element, 13x wasm's CPU time on lavapipe.
 * The patches are the padded input's kh·kw strided slices, concatenated along the channels.
 */
export function makeWebGpuConv2DBackpropFilterKernel(stock: StockKernels): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const convAttrs = attrs as unknown as Conv2DBackpropFilterAttrs;
      const info = nhwcConvInfo(Conv2DBackpropFilter, x.shape, convAttrs.filterShape, convAttrs);
      const temporaries: TensorInfo[] = [];
      const run = (kernelName: string, kernelInputs: Record<string, TensorInfo> | TensorInfo[], kernelAttrs: object): TensorInfo => {
        const out = stock(kernelName)({ inputs: kernelInputs as never, backend, attrs: kernelAttrs as NamedAttrMap }) as TensorInfo;
        temporaries.push(out);
        return out;
      };
      try {
        const { top, left } = info.padInfo;
        // Enough zeros below and right for the last window (tfjs rounds some explicit paddings past the input).
        const bottom = (info.outHeight - 1) * info.strideHeight + info.filterHeight - top - info.inHeight;
        const right = (info.outWidth - 1) * info.strideWidth + info.filterWidth - left - info.inWidth;
        const paddings = [
          [0, 0],
          [top, Math.max(0, bottom)],
          [left, Math.max(0, right)],
          [0, 0],
        ];
        const padded = run(PadV2, { x }, { paddings, constantValue: 0 });
        const slices: TensorInfo[] = [];
        for (let kh = 0; kh < info.filterHeight; kh++) {
          for (let kw = 0; kw < info.filterWidth; kw++) {
            const end = [
              info.batchSize,
              kh + (info.outHeight - 1) * info.strideHeight + 1,
              kw + (info.outWidth - 1) * info.strideWidth + 1,
              info.inChannels,
            ];
            const masks = { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 };
            slices.push(
              run(
                StridedSlice,
                { x: padded },
                { begin: [0, kh, kw, 0], end, strides: [1, info.strideHeight, info.strideWidth, 1], ...masks },
              ),
            );
          }
        }
        const positions = info.batchSize * info.outHeight * info.outWidth;
        const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
        const patches = run(Reshape, { x: run(Concat, slices, { axis: 3 }) }, { shape: [1, positions, patchSize] });
        const gradients = run(Reshape, { x: dy }, { shape: [1, positions, info.outChannels] });
        const product = run(BatchMatMul, { a: patches, b: gradients }, { transposeA: true, transposeB: false });
        const out = run(Reshape, { x: product }, { shape: [...convAttrs.filterShape] });
        temporaries.pop();
        return out;
      } finally {
        for (const temporary of temporaries) (backend as KernelBackend).disposeData(temporary.dataId);
      }
    },
  };
}
