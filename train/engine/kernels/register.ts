import * as tf from '@tensorflow/tfjs';
import { makeBatchMatMulKernel } from './batch-mat-mul.js';
import { makeConv2DBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { makeCpuConv2DBackpropFilterKernel } from './conv2d-backprop-filter-cpu.js';
import { makeConv2DBackpropInputKernel } from './conv2d-backprop-input.js';
import { makeGatherKernel } from './gather.js';
import { openBlasConvKernels } from './openblas-conv.js';
import { loadNativeGemm } from '../native/native-gemm.js';
import { makeSumKernel } from './sum.js';
import { cpuUnsortedSegmentSumKernel, wasmUnsortedSegmentSumKernel } from './unsorted-segment-sum.js';
import type { StockWasmKernels } from './wasm-ops.js';

export function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/** A kernel as the backend's package registered it (look it up before replacing it). */
export function stockKernel(kernelName: string, backendName: 'wasm' | 'webgpu' = 'wasm'): tf.KernelFunc {
  const config = tf.getKernel(kernelName, backendName);
  if (!config) throw new Error(`tfjs-backend-${backendName} has no ${kernelName} kernel to build on.`);
  return config.kernelFunc;
}

/** The wasm convolution kernels wit can run: its XNNPACK-based ones, and OpenBLAS ones when the addon is built. */
export interface WasmConvolutionKernels {
  xnnpack: tf.KernelConfig[];
  openBlas: tf.KernelConfig[] | string;
}

let wasmConvolutions: WasmConvolutionKernels | undefined;

/**
 * Adds the kernels tfjs-wasm 4.22 lacks (UnsortedSegmentSum, Conv2DBackpropFilter) and replaces
 * the slow ones (BatchMatMul with a transpose, Conv2DBackpropInput, Sum over leading axes, row
 * gathers); with the OpenBLAS addon built (npm run build:native), the model's convolutions and
 * their gradients run on it instead. Call after the wasm backend is initialised: the stock kernels
 * it builds on must have run their setup. Returns which convolutions run, in words.
 */
export function registerWasmKernels(): string {
  if (!wasmConvolutions) wasmConvolutions = replaceWasmKernels();
  const { openBlas } = wasmConvolutions;
  return typeof openBlas === 'string' ? `convolutions on XNNPACK; ${openBlas}` : 'convolutions on OpenBLAS';
}

/** Both sets of convolution kernels (registerWasmKernels first): bench/gemm compares them. */
export function wasmConvolutionKernels(): WasmConvolutionKernels {
  if (!wasmConvolutions) throw new Error('registerWasmKernels has not run on this thread.');
  return wasmConvolutions;
}

function replaceWasmKernels(): WasmConvolutionKernels {
  const stock: StockWasmKernels = {
    batchMatMul: stockKernel(tf.BatchMatMul),
    conv2D: stockKernel(tf.Conv2D),
    transpose: stockKernel(tf.Transpose),
  };
  const xnnpack = [tf.getKernel(tf.FusedConv2D, 'wasm')!, makeConv2DBackpropFilterKernel(stock), makeConv2DBackpropInputKernel(stock)];
  replaceKernel(wasmUnsortedSegmentSumKernel);
  replaceKernel(makeBatchMatMulKernel(stock));
  replaceKernel(makeSumKernel(stockKernel(tf.Sum)));
  replaceKernel(makeGatherKernel(stockKernel(tf.GatherV2)));
  const native = loadNativeGemm();
  const openBlas =
    typeof native === 'string'
      ? native
      : openBlasConvKernels(native, {
          fusedConv2D: xnnpack[0]!.kernelFunc,
          filterGradient: xnnpack[1]!.kernelFunc,
          inputGradient: xnnpack[2]!.kernelFunc,
        });
  for (const kernel of typeof openBlas === 'string' ? xnnpack : openBlas) replaceKernel(kernel);
  return { xnnpack, openBlas };
}

let cpuKernelsRegistered = false;

/**
 * Replaces the cpu backend's UnsortedSegmentSum, whose memory grows with the vocabulary, and its
 * element-by-element Conv2DBackpropFilter.
 */
export function registerCpuKernels(): void {
  if (cpuKernelsRegistered) return;
  const stockBatchMatMul = tf.getKernel(tf.BatchMatMul, 'cpu')?.kernelFunc;
  if (!stockBatchMatMul) throw new Error('the tfjs cpu backend has no BatchMatMul kernel to build on.');
  replaceKernel(cpuUnsortedSegmentSumKernel);
  replaceKernel(makeCpuConv2DBackpropFilterKernel(stockBatchMatMul));
  cpuKernelsRegistered = true;
}
