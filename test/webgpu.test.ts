import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  defaultModelConfig,
  selectBackend,
  type Engine,
  type EngineState,
  type ModelConfig,
  type StepHyper,
} from '../train/index.js';
import type { ImageLabels, ZeroShotRecord } from '../eval/index.js';
import { readCheckpoint, writeCheckpoint } from '../train/checkpoint.js';
import { openWebGpuAdapter, webGpuInstallHint, type WebGpuAdapter } from '../train/engine/webgpu-adapter.js';
import { convCases } from './fixtures/conv-cases.js';
import { seededFloats, toyBatch } from './fixtures/engine-batches.js';
import { openmojiEvalSet, type OpenmojiEvalSet } from './fixtures/eval-openmoji.js';
import { runWit, runWitJson } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

let adapter: WebGpuAdapter | undefined;
let missing = '';
try {
  adapter = await openWebGpuAdapter();
  if (!adapter) missing = `Dawn found no WebGPU adapter; ${webGpuInstallHint}`;
} catch (error) {
  missing = `the optional packages webgpu and @tensorflow/tfjs-backend-webgpu do not load (${(error as Error).message.split('\n')[0]}): npm install them`;
}
if (!adapter) console.warn(`\n*** SKIPPING the webgpu tests: ${missing} ***\n`);

/** The default model (4 convolutions, embed 256) on tiny images and a tiny vocabulary, to keep the software adapter quick. */
const model: ModelConfig = { ...defaultModelConfig, vocabSize: 40, imageSize: 16 };
const hyper: StepHyper = { lr: 1e-3, weightDecay: 0.2, gradClipNorm: 1 };
const batches = [1, 2, 3].map((seed) => toyBatch({ size: 8, imageSize: model.imageSize, classes: 4, seed, shift: seed }));
/** float32 on two backends that sum in different orders: measured ~1e-6 on lavapipe vs wasm. */
const tolerance = 1e-4;

function maxDifference(a: EngineState, b: EngineState): number {
  expect(Object.keys(b.tensors).sort()).toEqual(Object.keys(a.tensors).sort());
  let worst = 0;
  for (const [name, { data }] of Object.entries(a.tensors)) {
    const other = b.tensors[name]!.data;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(data[i]! - other[i]!));
  }
  return worst;
}

async function engineOn(backend: 'webgpu' | 'wasm'): Promise<Engine> {
  return createEngine(model, { backend, seed: 5, workers: 1 });
}

/** Trains `engine` on batches[from, to) and returns the losses. */
async function steps(engine: Engine, from: number, to: number): Promise<number[]> {
  const losses: number[] = [];
  for (const batch of batches.slice(from, to)) losses.push((await engine.step(batch, hyper)).loss);
  return losses;
}

/** One kernel's output on a backend, read asynchronously (WebGPU has no synchronous read in Node). */
async function runKernelOn(backend: 'cpu' | 'webgpu', kernel: string, inputs: Record<string, number[]>, attrs: object, seed: number) {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([name, shape], i) => [
      name,
      tf.tensor(
        seededFloats(
          shape.reduce((a, b) => a * b, 1),
          seed + i,
        ),
        shape,
      ),
    ]),
  );
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: out.shape, values: (await out.data()) as Float32Array };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

describe.skipIf(!adapter)("wit's webgpu kernels against the stock cpu backend", () => {
  for (const c of convCases) {
    it(`Conv2DBackpropFilter (im2col + one matmul), ${c.name}`, async () => {
      await selectBackend('webgpu');
      await tf.setBackend('cpu');
      const dyShape = tf.conv2d(
        tf.zeros([...c.x]) as tf.Tensor4D,
        tf.zeros([...c.filter]) as tf.Tensor4D,
        c.strides as number | [number, number],
        c.pad,
      ).shape;
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      const expected = await runKernelOn('cpu', 'Conv2DBackpropFilter', { x: [...c.x], dy: dyShape }, attrs, 3);
      const actual = await runKernelOn('webgpu', 'Conv2DBackpropFilter', { x: [...c.x], dy: dyShape }, attrs, 3);
      expect(actual.shape).toEqual(expected.shape);
      expect(expected.values.some((v) => v !== 0)).toBe(true);
      actual.values.forEach((v, i) =>
        expect(Math.abs(v - expected.values[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected.values[i]!))),
      );
    });
  }
});

describe.skipIf(!adapter)('the webgpu engine against the wasm engine (same seed, same batches)', () => {
  const dir = tempDir('wit-webgpu-engine-');
  const run: Record<string, { losses: number[]; state: EngineState; images: Float32Array; texts: Float32Array; scale: number }> = {};

  beforeAll(async () => {
    for (const backend of ['webgpu', 'wasm'] as const) {
      const engine = await engineOn(backend);
      try {
        expect(engine.backend).toBe(backend);
        const losses = await steps(engine, 0, 3);
        run[backend] = {
          losses,
          state: await engine.exportState(),
          images: await engine.embedImages(batches[0]!.images, batches[0]!.size),
          texts: await engine.embedTexts(batches[0]!),
          scale: engine.logitScale(),
        };
      } finally {
        await engine.dispose();
      }
    }
  }, 180_000);

  it(`agree on the loss, the weights and the Adam moments after 3 steps (within ${tolerance})`, () => {
    const { webgpu, wasm } = run as Record<'webgpu' | 'wasm', (typeof run)[string]>;
    console.log(
      `webgpu losses ${webgpu.losses.join(', ')}; wasm ${wasm.losses.join(', ')}; max |state difference| ${maxDifference(webgpu.state, wasm.state)}`,
    );
    webgpu.losses.forEach((loss, i) => expect(Math.abs(loss - wasm.losses[i]!)).toBeLessThan(tolerance));
    expect(webgpu.losses[2]).not.toBe(webgpu.losses[0]); // the weights moved
    expect(webgpu.state.step).toBe(3);
    expect(maxDifference(webgpu.state, wasm.state)).toBeLessThan(tolerance);
    expect(Math.abs(webgpu.scale - wasm.scale)).toBeLessThan(tolerance);
  });

  it('embed images and texts alike', () => {
    const { webgpu, wasm } = run as Record<'webgpu' | 'wasm', (typeof run)[string]>;
    expect(webgpu.images.length).toBe(8 * model.embedDim);
    for (const [a, b] of [
      [webgpu.images, wasm.images],
      [webgpu.texts, wasm.texts],
    ] as const) {
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(tolerance);
    }
  });

  it('resume each other’s checkpoints: 2 steps on one backend, a checkpoint file, the 3rd step on the other', async () => {
    for (const [first, second] of [
      ['webgpu', 'wasm'],
      ['wasm', 'webgpu'],
    ] as const) {
      const out = join(dir, `${first}-then-${second}`);
      mkdirSync(out);
      const before = await engineOn(first);
      await steps(before, 0, 2);
      await writeCheckpoint(out, await before.exportState(), { step: 2, data: { epoch: 0, samplesDrawn: 16 }, vocabFingerprint: 'test' });
      await before.dispose();

      const after = await engineOn(second);
      const checkpoint = await readCheckpoint(out);
      await after.importState(checkpoint!.state);
      const [loss] = await steps(after, 2, 3);
      const state = await after.exportState();
      await after.dispose();
      expect(Math.abs(loss! - run.wasm!.losses[2]!)).toBeLessThan(tolerance);
      expect(state.step).toBe(3);
      expect(maxDifference(state, run.wasm!.state)).toBeLessThan(tolerance);
    }
  }, 180_000);
});

describe.skipIf(!adapter)('wit train / eval / classify --backend webgpu (CLI)', () => {
  const dir = tempDir('wit-webgpu-cli-');
  const runDir = join(dir, 'run');
  let set: OpenmojiEvalSet;
  const labels = 'animal mammal,heart,time,clothing,sky weather,country flag';

  beforeAll(async () => {
    set = await openmojiEvalSet();
  }, 240_000);

  it('trains on webgpu, warning when the adapter is a software one', () => {
    const trained = runWit(
      [
        'train',
        '--backend',
        'webgpu',
        '--shards',
        set.shardsDir,
        '--out',
        runDir,
        '--steps',
        '3',
        '--batch',
        '16',
        '--image-size',
        '16',
        '--vocab',
        '300',
        '--seed',
        '2',
        '--log-every',
        '1',
      ],
      { timeoutMillis: 180_000 },
    );
    expect(trained.status, trained.stderr).toBe(0);
    expect(trained.stderr).toContain('backend: webgpu was asked for: @tensorflow/tfjs-backend-webgpu on');
    if (adapter!.software) expect(trained.stderr).toContain('for checking, not speed');
    expect(trained.stdout).toMatch(/trained 3\/3 steps on webgpu/);
  }, 200_000);

  it('gives the same zero-shot predictions and classify probabilities on webgpu as on wasm', () => {
    const zeroShot = (backend: string) =>
      runWitJson<ZeroShotRecord>(['eval', 'zeroshot', '--backend', backend, '--run', runDir, '--images', set.imagesDir, '--json'], {
        timeoutMillis: 180_000,
      });
    const onWebGpu = zeroShot('webgpu');
    const onWasm = zeroShot('wasm');
    expect(onWebGpu.figures).toEqual(onWasm.figures);

    const images = ['heart', 'time', 'clothing'].map((folder) => join(set.imagesDir, folder, readdirSync(join(set.imagesDir, folder))[0]!));
    const classify = (backend: string) =>
      runWitJson<ImageLabels[]>(
        ['classify', '--backend', backend, '--run', runDir, '--labels', labels, '--top', '6', '--json', ...images],
        {
          timeoutMillis: 180_000,
        },
      );
    const labelsOnWebGpu = classify('webgpu');
    const labelsOnWasm = classify('wasm');
    expect(labelsOnWebGpu.map((r) => r.image)).toEqual(images);
    labelsOnWebGpu.forEach((result, i) => {
      const byLabel = new Map(labelsOnWasm[i]!.labels.map((l) => [l.label, l.probability]));
      expect(result.labels).toHaveLength(6);
      for (const { label, probability } of result.labels) expect(Math.abs(probability - byLabel.get(label)!)).toBeLessThan(tolerance);
    });
  }, 400_000);
});
