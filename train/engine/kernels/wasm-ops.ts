import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The stock wasm kernels the fast kernels build on, captured before any is replaced. */
export interface StockWasmKernels {
  batchMatMul: KernelFunc;
  conv2D: KernelFunc;
  transpose: KernelFunc;
}

/** A tensor viewed with another shape (no copy): what a wasm Reshape does. */
export function withShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/**
 * A·B for 2-D a [m,k] and b [k,n] through the stock kernel's XNNPACK path, which it takes
 * only when neither side is transposed and the batch is 1.
 */
export function matMulPlain(stock: StockWasmKernels, backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  return stock.batchMatMul({
    inputs: { a, b },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
}

/** Swaps the last two axes into a new tensor. */
export function transposeLastTwo(stock: StockWasmKernels, backend: BackendWasm, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return stock.transpose({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/** A Float32Array over the tensor's bytes in the wasm heap; invalid after any allocation. */
export function heapFloats(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/**
 * A tensor over `size` floats of an existing tensor's memory from float `offset` on (no copy), for
 * a kernel to read; release it with releaseView, never disposeData (that would free the memory).
 */
export function heapView(backend: BackendWasm, of: TensorInfo, offset: number, shape: number[]): TensorInfo {
  const base = backend.dataIdMap.get(of.dataId)!.memoryOffset;
  return backend.makeOutput(shape, 'float32', base + offset * Float32Array.BYTES_PER_ELEMENT);
}

export function releaseView(backend: BackendWasm, view: TensorInfo): void {
  backend.wasm.tfjs.disposeData(backend.dataIdMap.get(view.dataId)!.id);
  backend.dataIdMap.delete(view.dataId);
}
