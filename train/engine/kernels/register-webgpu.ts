import * as tf from '@tensorflow/tfjs';
import { makeWebGpuConv2DBackpropFilterKernel } from './conv2d-backprop-filter-webgpu.js';
import { replaceKernel, stockKernel } from './register.js';

let webGpuKernelsRegistered = false;

/** Replaces tfjs-backend-webgpu 4.22's slow Conv2DBackpropFilter. Call after the webgpu backend is registered. */
export function registerWebGpuKernels(): void {
  if (webGpuKernelsRegistered) return;
  const stock = new Map(
    [tf.BatchMatMul, tf.Concat, tf.PadV2, tf.Reshape, tf.StridedSlice].map((name) => [name, stockKernel(name, 'webgpu')]),
  );
  replaceKernel(makeWebGpuConv2DBackpropFilterKernel((name) => stock.get(name)!));
  webGpuKernelsRegistered = true;
}
