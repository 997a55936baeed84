import { Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nhwcConvInfo } from './conv-info.js';
import { heapFloats, type StockWasmKernels } from './wasm-ops.js';

/**
 * One axis of a phase of the transposed convolution: the input positions p, p+stride, ... get
 * their gradient from the filter taps first, first+stride, ... (`taps` of them) through a
 * stride-1 correlation of dy padded by `padBefore`/`padAfter`; `positions` of them in all.
 */
interface PhaseAxis {
  first: number;
  taps: number;
  padBefore: number;
  padAfter: number;
  positions: number;
}

function phaseAxis(phase: number, stride: number, pad: number, filterSize: number, inSize: number, outSize: number): PhaseAxis {
  const first = (phase + pad) % stride;
  const taps = first < filterSize ? Math.ceil((filterSize - first) / stride) : 0;
  const lead = Math.floor((phase + pad) / stride);
  const positions = Math.ceil((inSize - phase) / stride);
  const padBefore = taps - 1 - lead;
  if (taps > 0 && padBefore < 0) throw new Error(`Conv2DBackpropInput on wasm: padding ${pad} is wider than the filter's reach.`);
  return { first, taps, padBefore, padAfter: Math.max(0, positions - 1 + taps - outSize - padBefore), positions };
}

/**
 * The phase's filter as a stride-1 correlation filter: g[u][v][o][c] = w[first + (taps-1-u)*stride][...][c][o]
 * (flipped taps, channels swapped), written into a new wasm tensor.
 */
function phaseFilter(wasm: BackendWasm, filter: TensorInfo, rows: PhaseAxis, columns: PhaseAxis, strides: [number, number]): TensorInfo {
  const [, fw, inChannels, outChannels] = filter.shape as [number, number, number, number];
  const out = wasm.makeOutput([rows.taps, columns.taps, outChannels, inChannels], 'float32');
  const w = heapFloats(wasm, filter);
  const g = heapFloats(wasm, out);
  let at = 0;
  for (let u = 0; u < rows.taps; u++) {
    const kh = rows.first + (rows.taps - 1 - u) * strides[0];
    for (let v = 0; v < columns.taps; v++) {
      const kw = columns.first + (columns.taps - 1 - v) * strides[1];
      const tap = (kh * fw + kw) * inChannels * outChannels;
      for (let o = 0; o < outChannels; o++) {
        for (let c = 0; c < inChannels; c++) g[at++] = w[tap + c * outChannels + o]!;
      }
    }
  }
  return out;
}

/** dx[n, i*sh+py, j*sw+px, :] = part[n, i, j, :] for the phase's rows and columns. */
function scatterPhase(
  part: Float32Array,
  partShape: number[],
  dx: Float32Array,
  dxShape: number[],
  phase: [number, number],
  strides: [number, number],
  rows: PhaseAxis,
  columns: PhaseAxis,
): void {
  const [batch, height, width, channels] = dxShape as [number, number, number, number];
  const [partHeight, partWidth] = [partShape[1]!, partShape[2]!];
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < rows.positions; i++) {
      let from = (n * partHeight + i) * partWidth * channels;
      let to = ((n * height + i * strides[0] + phase[0]) * width + phase[1]) * channels;
      const step = strides[1] * channels;
      for (let j = 0; j < columns.positions; j++, from += channels, to += step) {
        for (let c = 0; c < channels; c++) dx[to + c] = part[from + c]!;
      }
    }
  }
}

/**
 * The input gradient (a transposed convolution) as stride² stride-1 convolutions of dy on
 * XNNPACK, one per output phase, interleaved into dx: the stock wasm kernel is a naive loop, and
 * dy · Wᵀ then col2im wrote and re-read a patch matrix 9x the input's size.
 */
export function makeConv2DBackpropInputKernel(stock: StockWasmKernels): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as BackendWasm;
      const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
      const convAttrs = attrs as unknown as Conv2DBackpropInputAttrs;
      const info = nhwcConvInfo(Conv2DBackpropInput, convAttrs.inputShape, filter.shape, convAttrs);
      const strides: [number, number] = [info.strideHeight, info.strideWidth];
      const dx = wasm.makeOutput([...convAttrs.inputShape], 'float32');
      heapFloats(wasm, dx).fill(0);
      for (let py = 0; py < strides[0]; py++) {
        const rows = phaseAxis(py, strides[0], info.padInfo.top, info.filterHeight, info.inHeight, info.outHeight);
        for (let px = 0; px < strides[1]; px++) {
          const columns = phaseAxis(px, strides[1], info.padInfo.left, info.filterWidth, info.inWidth, info.outWidth);
          if (rows.taps === 0 || columns.taps === 0 || rows.positions === 0 || columns.positions === 0) continue;
          const g = phaseFilter(wasm, filter, rows, columns, strides);
          const pad = [
            [0, 0],
            [rows.padBefore, rows.padAfter],
            [columns.padBefore, columns.padAfter],
            [0, 0],
          ];
          const part = stock.conv2D({
            inputs: { x: dy, filter: g },
            backend,
            attrs: { strides: [1, 1], pad, dilations: [1, 1], dataFormat: 'NHWC' },
          }) as TensorInfo;
          wasm.disposeData(g.dataId);
          scatterPhase(heapFloats(wasm, part), part.shape, heapFloats(wasm, dx), dx.shape, [py, px], strides, rows, columns);
          wasm.disposeData(part.dataId);
        }
      }
      return dx;
    },
  };
}
