import {
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { nhwcConvInfo } from './conv-info.js';
import { im2colTransposed } from './im2col.js';

/** The part of tfjs's MathBackendCPU this kernel uses (the package is only a transitive dependency). */
interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
  disposeIntermediateTensorInfo(info: TensorInfo): void;
}

/**
 * The filter gradient on the JS cpu backend as im2col(x)ᵀ · dy through the cpu backend's blocked
 * matmul; the stock kernel reads every element through index arithmetic and took 3 s for one
 * small layer at batch 4.
 */
export function makeCpuConv2DBackpropFilterKernel(stockBatchMatMul: KernelFunc): KernelConfig {
  return {
    kernelName: Conv2DBackpropFilter,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpu = backend as unknown as CpuBackend;
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const convAttrs = attrs as unknown as Conv2DBackpropFilterAttrs;
      const info = nhwcConvInfo(Conv2DBackpropFilter, x.shape, convAttrs.filterShape, convAttrs);
      const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
      const positions = info.batchSize * info.outHeight * info.outWidth;
      const colT = new Float32Array(patchSize * positions);
      im2colTransposed(cpu.data.get(x.dataId).values as Float32Array, info, colT);
      const colTInfo = cpu.makeTensorInfo([patchSize, positions], 'float32', colT);
      const out = stockBatchMatMul({
        inputs: { a: colTInfo, b: { dataId: dy.dataId, shape: [positions, info.outChannels], dtype: 'float32' } },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }) as TensorInfo;
      cpu.disposeIntermediateTensorInfo(colTInfo);
      return { dataId: out.dataId, shape: [...convAttrs.filterShape], dtype: 'float32' };
    },
  };
}
