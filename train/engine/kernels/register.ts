import * as tf from '@tensorflow/tfjs';
import { makeBatchMatMulKernel } from './batch-mat-mul.js';
import { makeConv2DBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { makeCpuConv2DBackpropFilterKernel } from './conv2d-backprop-filter-cpu.js';
import { makeConv2DBackpropInputKernel } from './conv2d-backprop-input.js';
import { makeGatherKernel } from './gather.js';
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

let wasmKernelsRegistered = false;

/**
 * Adds the kernels tfjs-wasm 4.22 lacks (UnsortedSegmentSum, Conv2DBackpropFilter) and replaces
 * the slow ones (BatchMatMul with a transpose, Conv2DBackpropInput, Sum over leading axes, row
 * gathers). Call after the wasm backend is initialised: the stock kernels it builds on must have
 * run their setup.
 */
export function registerWasmKernels(): void {
  if (wasmKernelsRegistered) return;
  const stock: StockWasmKernels = {
    batchMatMul: stockKernel(tf.BatchMatMul),
    conv2D: stockKernel(tf.Conv2D),
    transpose: stockKernel(tf.Transpose),
  };
  replaceKernel(wasmUnsortedSegmentSumKernel);
  replaceKernel(makeConv2DBackpropFilterKernel(stock));
  replaceKernel(makeConv2DBackpropInputKernel(stock));
  replaceKernel(makeBatchMatMulKernel(stock));
  replaceKernel(makeSumKernel(stockKernel(tf.Sum)));
  replaceKernel(makeGatherKernel(stockKernel(tf.GatherV2)));
  wasmKernelsRegistered = true;
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
