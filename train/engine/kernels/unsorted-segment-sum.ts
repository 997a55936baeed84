import { UnsortedSegmentSum, util, type KernelConfig, type TensorInfo, type UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type NumericArray = Float32Array | Int32Array;

/** The part of tfjs's MathBackendCPU this kernel uses (the package is only a transitive dependency). */
interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: TensorInfo['dtype'], values: NumericArray): TensorInfo;
}

/**
 * out[segmentIds[i]] += x[i] for rows of `rowSize`; ids outside [0, numSegments) are dropped,
 * as TensorFlow does. One pass over x: the embedding-bag gradient of a 20k vocabulary is cheap.
 */
export function segmentSumInto(x: NumericArray, segmentIds: Int32Array, rowSize: number, out: NumericArray): void {
  const numSegments = out.length / rowSize;
  out.fill(0);
  for (let i = 0; i < segmentIds.length; i++) {
    const segment = segmentIds[i]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * rowSize;
    const to = segment * rowSize;
    for (let j = 0; j < rowSize; j++) out[to + j] = out[to + j]! + x[from + j]!;
  }
}

function outputShape(x: TensorInfo, segmentIds: TensorInfo, numSegments: number): { shape: number[]; rowSize: number } {
  const rest = x.shape.slice(segmentIds.shape.length);
  return { shape: [numSegments, ...rest], rowSize: util.sizeFromShape(rest) };
}

/** UnsortedSegmentSum for wasm (absent from tfjs-wasm 4.22), computed in JS on the wasm heap. */
export const wasmUnsortedSegmentSumKernel: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
    const { shape, rowSize } = outputShape(x, segmentIds, numSegments);
    const out = wasm.makeOutput(shape, x.dtype);
    segmentSumInto(
      wasm.typedArrayFromHeap(x) as NumericArray,
      wasm.typedArrayFromHeap(segmentIds) as Int32Array,
      rowSize,
      wasm.typedArrayFromHeap(out) as NumericArray,
    );
    return out;
  },
};

/**
 * UnsortedSegmentSum for the JS cpu backend: the stock one builds a mask per segment
 * (numSegments passes over x) and runs out of memory on a 20k vocabulary.
 */
export const cpuUnsortedSegmentSumKernel: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const cpu = backend as unknown as CpuBackend;
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
    const { shape, rowSize } = outputShape(x, segmentIds, numSegments);
    const values = x.dtype === 'int32' ? new Int32Array(numSegments * rowSize) : new Float32Array(numSegments * rowSize);
    segmentSumInto(cpu.data.get(x.dataId).values as NumericArray, cpu.data.get(segmentIds.dataId).values as Int32Array, rowSize, values);
    return cpu.makeTensorInfo(shape, x.dtype, values);
  },
};
