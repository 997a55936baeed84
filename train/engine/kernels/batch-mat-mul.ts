import { BatchMatMul, type BatchMatMulAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { matMulPlain, transposeLastTwo, type StockWasmKernels } from './wasm-ops.js';

/**
 * BatchMatMul for wasm that transposes first: the stock kernel runs A·Bᵀ and Aᵀ·B (every
 * backward pass) in a scalar loop, 10-20x slower than its XNNPACK path for A·B.
 */
export function makeBatchMatMulKernel(stock: StockWasmKernels): KernelConfig {
  return {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as BackendWasm;
      const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
      const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
      const plainA = transposeA ? transposeLastTwo(stock, wasm, a) : a;
      const plainB = transposeB ? transposeLastTwo(stock, wasm, b) : b;
      const out = matMulPlain(stock, wasm, plainA, plainB);
      if (transposeA) wasm.disposeData(plainA.dataId);
      if (transposeB) wasm.disposeData(plainB.dataId);
      return out;
    },
  };
}
