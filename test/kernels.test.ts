import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, wasmConvolutionKernels } from '../train/index.js';
import { convCases } from './fixtures/conv-cases.js';
import { seededFloats } from './fixtures/engine-batches.js';

type Inputs = Record<string, { shape: number[]; values: Float32Array | Int32Array }>;

/** Runs one kernel on a backend with fresh input tensors and returns its output values and shape. */
async function runOn(backend: 'cpu' | 'wasm', kernel: string, inputs: Inputs, attrs: object) {
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, input] of Object.entries(inputs)) {
    tensors[name] = tf.tensor(input.values, input.shape, input.values instanceof Int32Array ? 'int32' : 'float32');
  }
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: out.shape, values: Float32Array.from(out.dataSync()) };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

function expectClose(actual: { shape: number[]; values: Float32Array }, expected: { shape: number[]; values: Float32Array }) {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.values.length).toBe(expected.values.length);
  let worst = 0;
  for (let i = 0; i < expected.values.length; i++) {
    const scale = Math.max(1, Math.abs(expected.values[i]!));
    worst = Math.max(worst, Math.abs(actual.values[i]! - expected.values[i]!) / scale);
  }
  expect(worst).toBeLessThan(1e-4);
}

async function expectWasmMatchesCpu(kernel: string, inputs: Inputs, attrs: object) {
  const expected = await runOn('cpu', kernel, inputs, attrs);
  const actual = await runOn('wasm', kernel, inputs, attrs);
  expect(expected.values.some((v) => v !== 0)).toBe(true);
  expectClose(actual, expected);
}

const floats = (shape: number[], seed: number) => ({
  shape,
  values: seededFloats(
    shape.reduce((a, b) => a * b, 1),
    seed,
  ),
});

async function convOutShape(c: (typeof convCases)[number]): Promise<number[]> {
  await tf.setBackend('cpu');
  const x = tf.zeros([...c.x]) as tf.Tensor4D;
  const filter = tf.zeros([...c.filter]) as tf.Tensor4D;
  return tf.conv2d(x, filter, c.strides as [number, number], c.pad as 'same').shape;
}

describe('wasm kernels against the stock cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('UnsortedSegmentSum (absent from tfjs-wasm)', async () => {
    await expectWasmMatchesCpu(
      'UnsortedSegmentSum',
      { x: floats([10, 3], 3), segmentIds: { shape: [10], values: Int32Array.from([4, 0, 0, 3, -2, 1, 4, 9, 2, 2]) } },
      { numSegments: 5 },
    );
  });

  it('UnsortedSegmentSum over an empty input gives zeros', async () => {
    await selectBackend('wasm');
    const out = await runOn(
      'wasm',
      'UnsortedSegmentSum',
      { x: { shape: [0, 3], values: new Float32Array(0) }, segmentIds: { shape: [0], values: new Int32Array(0) } },
      { numSegments: 4 },
    );
    expect(out.shape).toEqual([4, 3]);
    expect([...out.values]).toEqual(new Array(12).fill(0));
  });

  it('Sum over leading axes (bias gradients), keepDims or not; other axes still right', async () => {
    await expectWasmMatchesCpu('Sum', { x: floats([3, 4, 5, 6], 12) }, { axis: [0, 1, 2], keepDims: false });
    await expectWasmMatchesCpu('Sum', { x: floats([3, 4, 5, 6], 13) }, { axis: [1, 0], keepDims: true });
    await expectWasmMatchesCpu('Sum', { x: floats([3, 4, 5, 6], 14) }, { axis: [1, 3], keepDims: false });
  });

  it('GatherV2 of rows (an embedding lookup), repeated ids; other axes still right', async () => {
    const ids = { shape: [2, 3], values: Int32Array.from([4, 0, 4, 2, 1, 3]) };
    await expectWasmMatchesCpu('GatherV2', { x: floats([5, 7], 15), indices: ids }, { axis: 0, batchDims: 0 });
    await expectWasmMatchesCpu('GatherV2', { x: floats([3, 5, 2], 16), indices: ids }, { axis: 1, batchDims: 0 });
  });

  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`BatchMatMul transposeA=${transposeA} transposeB=${transposeB}, 2-D and batched`, async () => {
        const a2 = transposeA ? [13, 7] : [7, 13];
        const b2 = transposeB ? [5, 13] : [13, 5];
        await expectWasmMatchesCpu('BatchMatMul', { a: floats(a2, 8), b: floats(b2, 9) }, { transposeA, transposeB });
        await expectWasmMatchesCpu('BatchMatMul', { a: floats([3, ...a2], 10), b: floats([3, ...b2], 11) }, { transposeA, transposeB });
      });
    }
  }
});

// Last: patching the cpu backend changes the reference the wasm kernels above are checked against.
/** Registers one set of wasm convolution kernels (both are checked; OpenBLAS only when its addon is built). */
function useConvolutions(set: 'xnnpack' | 'openBlas'): void {
  const kernels = wasmConvolutionKernels()[set];
  if (typeof kernels === 'string') throw new Error(kernels);
  for (const kernel of kernels) {
    tf.unregisterKernel(kernel.kernelName, 'wasm');
    tf.registerKernel(kernel);
  }
}

const openBlasBuilt = async () => {
  await selectBackend('wasm');
  return typeof wasmConvolutionKernels().openBlas !== 'string';
};

const hasOpenBlas = await openBlasBuilt();
if (!hasOpenBlas)
  console.warn('\n*** kernels: the OpenBLAS addon is not built (npm run build:native): its convolution tests are SKIPPED ***\n');

for (const set of ['xnnpack', 'openBlas'] as const) {
  describe.skipIf(set === 'openBlas' && !hasOpenBlas)(`wasm convolution kernels on ${set} against the stock cpu backend`, () => {
    beforeAll(async () => {
      await selectBackend('wasm');
      useConvolutions(set);
    });
    afterAll(async () => {
      await selectBackend('wasm');
      useConvolutions(typeof wasmConvolutionKernels().openBlas === 'string' ? 'xnnpack' : 'openBlas');
    });

    for (const c of convCases) {
      it(`Conv2DBackpropFilter (absent from tfjs-wasm), ${c.name}`, async () => {
        const outShape = await convOutShape(c);
        await expectWasmMatchesCpu(
          'Conv2DBackpropFilter',
          { x: floats([...c.x], 4), dy: floats(outShape, 5) },
          { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter },
        );
      });

      it(`Conv2DBackpropInput (im2col replacement), ${c.name}`, async () => {
        const outShape = await convOutShape(c);
        await expectWasmMatchesCpu(
          'Conv2DBackpropInput',
          { dy: floats(outShape, 6), filter: floats([...c.filter], 7) },
          { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
        );
      });

      // tfjs-wasm's own FusedConv2D (the fallback) gets explicit numeric padding wrong, so only 'same' and 'valid' here.
      for (const activation of typeof c.pad === 'string' ? ['relu', 'linear'] : []) {
        it(`FusedConv2D with bias and ${activation}, ${c.name}`, async () => {
          await expectWasmMatchesCpu(
            'FusedConv2D',
            { x: floats([...c.x], 8), filter: floats([...c.filter], 9), bias: floats([c.filter[3]], 10) },
            { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1], activation, leakyreluAlpha: 0 },
          );
        });
      }
    }
  });
}

describe('the patched cpu backend against its stock kernels', () => {
  it('UnsortedSegmentSum (ids outside [0, numSegments) dropped) and Conv2DBackpropFilter', async () => {
    const segmentInputs: Inputs = {
      x: floats([9, 4], 1),
      segmentIds: { shape: [9], values: Int32Array.from([0, 2, 2, -1, 5, 1, 0, 6, 2]) },
    };
    const filterRuns = await Promise.all(
      convCases.map(async (c, i) => ({
        inputs: { x: floats([...c.x], 30 + i), dy: floats(await convOutShape(c), 40 + i) } as Inputs,
        attrs: { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter },
      })),
    );
    const stockSegments = await runOn('cpu', 'UnsortedSegmentSum', segmentInputs, { numSegments: 6 });
    const stockFilters = [];
    for (const run of filterRuns) stockFilters.push(await runOn('cpu', 'Conv2DBackpropFilter', run.inputs, run.attrs));
    await selectBackend('cpu');
    expectClose(await runOn('cpu', 'UnsortedSegmentSum', segmentInputs, { numSegments: 6 }), stockSegments);
    for (const [i, run] of filterRuns.entries()) {
      expect(stockFilters[i]!.values.some((v) => v !== 0)).toBe(true);
      expectClose(await runOn('cpu', 'Conv2DBackpropFilter', run.inputs, run.attrs), stockFilters[i]!);
    }
  });

  it('sums into a 20k-row table without running out of memory', async () => {
    await selectBackend('cpu');
    const ids = Int32Array.from({ length: 512 }, (_, i) => (i * 7919) % 20_000);
    const out = await runOn(
      'cpu',
      'UnsortedSegmentSum',
      { x: floats([512, 256], 2), segmentIds: { shape: [512], values: ids } },
      { numSegments: 20_000 },
    );
    expect(out.shape).toEqual([20_000, 256]);
    expect(out.values[ids[3]! * 256 + 5]).not.toBe(0);
  });
});
