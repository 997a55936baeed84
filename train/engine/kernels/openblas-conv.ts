import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeGemm } from '../native/native-gemm.js';
import { nhwcConvInfo } from './conv-info.js';

/** Patch-matrix floats per chunk of images (4 MiB): the patch matrix of a whole 128-image slice is 38 MiB at layer 2. */
const chunkFloats = 1 << 20;

/** Sizes of a convolution seen as products of [positions, patch] and [patch, outChannels] matrices, chunked over images. */
function layout(info: tf.backend_util.Conv2DInfo) {
  const patch = info.filterHeight * info.filterWidth * info.inChannels;
  const positions = info.outHeight * info.outWidth;
  const imagesPerChunk = Math.max(1, Math.floor(chunkFloats / (positions * patch)));
  return { patch, positions, imagesPerChunk };
}

/** The kernels that run what these do not: unequal strides, dilation, other fused activations. */
export interface ConvFallbacks {
  fusedConv2D: tf.KernelFunc;
  filterGradient: tf.KernelFunc;
  inputGradient: tf.KernelFunc;
}

const sameStrides = (strides: number | [number, number]) => typeof strides === 'number' || strides[0] === strides[1];
const undilated = (dilations: number | [number, number] | undefined) =>
  dilations === undefined || (typeof dilations === 'number' ? dilations === 1 : dilations[0] === 1 && dilations[1] === 1);

/** im2col (or col2im when `backward`) of images [first, first+images) of x. */
function patches(
  native: NativeGemm,
  x: Float32Array,
  col: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  first: number,
  images: number,
  backward: boolean,
) {
  const pixels = info.inHeight * info.inWidth * info.inChannels;
  native.im2col(
    x.subarray(first * pixels, (first + images) * pixels),
    col,
    images,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.padInfo.top,
    info.padInfo.left,
    info.filterHeight,
    info.filterWidth,
    backward ? 1 : 0,
  );
}

const heap = (backend: BackendWasm, info: tf.TensorInfo) => backend.typedArrayFromHeap(info) as Float32Array;

/** The rows of images [first, first+images) of an NHWC output-shaped tensor (dy or y). */
function outputRows(wasm: BackendWasm, t: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, first: number, images: number): Float32Array {
  const rowFloats = info.outHeight * info.outWidth * info.outChannels;
  return heap(wasm, t).subarray(first * rowFloats, (first + images) * rowFloats);
}

/** Calls `each` for every chunk of images with one shared patch-matrix buffer, freed at the end. */
function forEachChunk(
  wasm: BackendWasm,
  info: tf.backend_util.Conv2DInfo,
  each: (first: number, images: number, col: tf.TensorInfo, patch: number, positions: number) => void,
): void {
  const { patch, positions, imagesPerChunk } = layout(info);
  const col = wasm.makeOutput([imagesPerChunk * positions * patch], 'float32');
  for (let first = 0; first < info.batchSize; first += imagesPerChunk) {
    each(first, Math.min(imagesPerChunk, info.batchSize - first), col, patch, positions);
  }
  wasm.disposeData(col.dataId);
}

/**
 * The model's convolution kernels on OpenBLAS (forward conv+bias+ReLU, filter and input gradients)
 * as im2col + sgemm on tfjs-wasm's heap: 2.5-3x XNNPACK-wasm's GEMM rate on an AVX-512 CPU
 * (bench/gemm). The forward kernel is the model's conv + bias + ReLU; other fused convolutions
 * go to the fallbacks, as do gradients with unequal strides (the gradients are NHWC and undilated: nhwcConvInfo).
 */
export function openBlasConvKernels(native: NativeGemm, fallback: ConvFallbacks): tf.KernelConfig[] {
  const forward: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as BackendWasm;
    const { x, filter, bias } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo };
    const fused = attrs as unknown as tf.FusedConv2DAttrs;
    const plain = fused.dataFormat === 'NHWC' && sameStrides(fused.strides) && undilated(fused.dilations);
    if (!bias || fused.activation !== 'relu' || !plain) return fallback.fusedConv2D(args);
    const info = nhwcConvInfo(tf.FusedConv2D, x.shape, filter.shape, fused);
    const out = wasm.makeOutput([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32');
    forEachChunk(wasm, info, (first, images, col, patch, positions) => {
      patches(native, heap(wasm, x), heap(wasm, col), info, first, images, false);
      const y = outputRows(wasm, out, info, first, images);
      native.sgemm(0, 0, images * positions, info.outChannels, patch, heap(wasm, col), heap(wasm, filter), y, 0);
      const b = heap(wasm, bias);
      for (let i = 0, channel = 0; i < y.length; i++, channel = channel + 1 === info.outChannels ? 0 : channel + 1) {
        y[i] = Math.max(0, y[i]! + b[channel]!);
      }
    });
    return out;
  };
  const filterGradient: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as BackendWasm;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const convAttrs = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (!sameStrides(convAttrs.strides)) return fallback.filterGradient(args);
    const info = nhwcConvInfo(tf.Conv2DBackpropFilter, x.shape, convAttrs.filterShape, convAttrs);
    const out = wasm.makeOutput([...convAttrs.filterShape], 'float32');
    forEachChunk(wasm, info, (first, images, col, patch, positions) => {
      patches(native, heap(wasm, x), heap(wasm, col), info, first, images, false);
      const dyRows = outputRows(wasm, dy, info, first, images);
      native.sgemm(1, 0, patch, info.outChannels, images * positions, heap(wasm, col), dyRows, heap(wasm, out), first === 0 ? 0 : 1);
    });
    return out;
  };
  const inputGradient: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as BackendWasm;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const convAttrs = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (!sameStrides(convAttrs.strides)) return fallback.inputGradient(args);
    const info = nhwcConvInfo(tf.Conv2DBackpropInput, convAttrs.inputShape, filter.shape, convAttrs);
    const dx = wasm.makeOutput([...convAttrs.inputShape], 'float32');
    heap(wasm, dx).fill(0);
    forEachChunk(wasm, info, (first, images, col, patch, positions) => {
      const dyRows = outputRows(wasm, dy, info, first, images);
      native.sgemm(0, 1, images * positions, patch, info.outChannels, dyRows, heap(wasm, filter), heap(wasm, col), 0);
      patches(native, heap(wasm, dx), heap(wasm, col), info, first, images, true);
    });
    return dx;
  };
  return [
    { kernelName: tf.FusedConv2D, backendName: 'wasm', kernelFunc: forward },
    { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: filterGradient },
    { kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: inputGradient },
  ];
}
