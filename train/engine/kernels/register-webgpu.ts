import * as tf from '@tensorflow/tfjs';
import { makeWebGpuConv2DBackpropFilterKernel } from './conv2d-backprop-filter-webgpu.js';

function stockKernel(kernelName: string): tf.KernelFunc {
  const config = tf.getKernel(kernelName, 'webgpu');
  if (!config) throw new Error(`tfjs-backend-webgpu has no ${kernelName} kernel to build on.`);
  return config.kernelFunc;
}

let webGpuKernelsRegistered = false;

/** Replaces tfjs-backend-webgpu 4.22's slow Conv2DBackpropFilter. Call after the webgpu backend is registered. */
export function registerWebGpuKernels(): void {
  if (webGpuKernelsRegistered) return;
  const stock = new Map<string, tf.KernelFunc>();
  for (const name of [tf.BatchMatMul, tf.Concat, tf.PadV2, tf.Reshape, tf.StridedSlice]) stock.set(name, stockKernel(name));
  const kernel = makeWebGpuConv2DBackpropFilterKernel((name) => stock.get(name)!);
  tf.unregisterKernel(kernel.kernelName, kernel.backendName);
  tf.registerKernel(kernel);
  webGpuKernelsRegistered = true;
}
