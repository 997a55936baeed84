import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { WitError } from '../core/index.js';
import { createEngine, selectBackend, type Engine, type ModelConfig, type StepHyper } from '../train/index.js';
import { contrastiveLoss } from '../train/engine/loss.js';
import { layoutParams, paramSpecs, initialiseParams } from '../train/engine/params.js';
import { Replica } from '../train/engine/replica.js';
import { convReluForTraining, embeddingBag } from '../train/engine/layers.js';
import { textTensors } from '../train/engine/model.js';
import { resolveModelConfig } from '../train/engine/model-config.js';
import { toyBatch } from './fixtures/engine-batches.js';

const tiny: ModelConfig = { vocabSize: 12, embedDim: 16, imageSize: 16, convChannels: [8, 16] };
const hyper: StepHyper = { lr: 3e-3, weightDecay: 0.1, gradClipNorm: 5 };

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

async function weightsOf(engine: Engine): Promise<Float32Array[]> {
  const state = await engine.exportState();
  return Object.keys(state.tensors)
    .sort()
    .map((name) => state.tensors[name]!.data);
}

describe('backend selection', () => {
  it('auto passes over the missing libtensorflow packages, picks wasm and says why', async () => {
    const picked = await selectBackend('auto');
    expect(picked.name).toBe('wasm');
    expect(picked.reason).toMatch(/tensorflow-gpu \(not installed\)/);
    expect(picked.reason).toMatch(/SIMD/);
  });

  it('an explicit backend that cannot load is a WitError saying what to install', async () => {
    await expect(selectBackend('tensorflow-gpu')).rejects.toThrow(WitError);
    await expect(selectBackend('tensorflow')).rejects.toThrow(/install @tensorflow\/tfjs-node@4\.22\.0/);
  });
});

describe('the contrastive loss', () => {
  it('equals the closed form for perfectly aligned orthonormal pairs', async () => {
    await selectBackend('cpu');
    const scale = 1 / 0.07;
    const { loss, logits } = contrastiveLoss(tf.eye(3) as tf.Tensor2D, tf.eye(3) as tf.Tensor2D, tf.scalar(Math.log(scale)));
    const expected = -Math.log(Math.exp(scale) / (Math.exp(scale) + 2));
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 6);
    expect(logits.dataSync()[4]).toBeCloseTo(scale, 4);
  });

  it('is ln(n) when every logit is equal', async () => {
    await selectBackend('cpu');
    const { loss } = contrastiveLoss(tf.ones([4, 2]) as tf.Tensor2D, tf.ones([4, 2]) as tf.Tensor2D, tf.scalar(0));
    expect(loss.dataSync()[0]).toBeCloseTo(Math.log(4), 6);
  });
});

describe('the custom-gradient layers against tfjs autodiff of the same maths (cpu)', () => {
  const close = (a: tf.Tensor, b: tf.Tensor) => {
    const expected = b.dataSync();
    expect(expected.some((v) => v !== 0)).toBe(true);
    expect(maxAbsDiff(a.dataSync() as Float32Array, expected as Float32Array)).toBeLessThan(1e-4);
  };

  it('conv + bias + ReLU, with and without the input gradient', async () => {
    await selectBackend('cpu');
    const x = tf.randomNormal([2, 9, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const bias = tf.randomNormal([4], 0, 1, 'float32', 3) as tf.Tensor1D;
    const weight = tf.randomNormal([2, 5, 4, 4], 0, 1, 'float32', 4);
    const retained: tf.Tensor[] = [];
    const retain = <T extends tf.Tensor>(t: T): T => {
      retained.push(t);
      return tf.keep(t);
    };
    const reference = tf.grads((a: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.relu(tf.add(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'), b)), weight)),
    )([x, filter, bias]);
    const custom = tf.grads((a: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(convReluForTraining(a as tf.Tensor4D, f as tf.Tensor4D, b as tf.Tensor1D, false, retain), weight)),
    )([x, filter, bias]);
    custom.forEach((grad, i) => close(grad, reference[i]!));
    const onData = tf.grads((f: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(convReluForTraining(x, f as tf.Tensor4D, b as tf.Tensor1D, true, retain), weight)),
    )([filter, bias]);
    onData.forEach((grad, i) => close(grad, reference[i + 1]!));
    tf.dispose(retained);
  });

  it('the embedding bag (mean, empty rows give zeros)', async () => {
    await selectBackend('cpu');
    const table = tf.randomNormal([6, 3], 0, 1, 'float32', 5) as tf.Tensor2D;
    const text = textTensors({ tokenIds: Int32Array.from([1, 4, 4, 0, 5]), offsets: Int32Array.from([0, 3, 3, 5]) });
    const weight = tf.randomNormal([3, 3], 0, 1, 'float32', 6);
    const reference = tf.grad((t: tf.Tensor) =>
      tf.sum(tf.mul(tf.mul(tf.unsortedSegmentSum(tf.gather(t, text.tokenIds), text.rowIds, 3), text.inverseLengths), weight)),
    )(table);
    const custom = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embeddingBag(t as tf.Tensor2D, text), weight)))(table);
    close(custom, reference);
    expect([...embeddingBag(table, text).dataSync().slice(3, 6)]).toEqual([0, 0, 0]);
  });
});

describe('gradients on wasm (wit kernels) against the cpu backend', () => {
  it('match for every parameter of the model, empty caption included', async () => {
    const config = resolveModelConfig(tiny);
    const { slots, totalSize } = layoutParams(paramSpecs(config));
    const weights = new Float32Array(totalSize);
    initialiseParams(slots, weights, 7);
    const batch = toyBatch({ size: 6, imageSize: 16, classes: 4, seed: 3, emptyRow: 2 });
    const run = async (backend: 'cpu' | 'wasm') => {
      await selectBackend(backend);
      const replica = new Replica(config, slots);
      replica.setWeights(weights);
      const grads = new Float32Array(totalSize);
      const { loss } = replica.forwardBackward(batch, grads);
      replica.dispose();
      return { loss, grads };
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(Number.isFinite(cpu.loss)).toBe(true);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    for (const slot of slots) {
      const expected = cpu.grads.subarray(slot.offset, slot.offset + slot.size);
      const scale = Math.max(1e-3, ...expected.map(Math.abs));
      expect(
        expected.some((g) => g !== 0),
        slot.name,
      ).toBe(true);
      expect(maxAbsDiff(wasm.grads.subarray(slot.offset, slot.offset + slot.size), expected) / scale, slot.name).toBeLessThan(1e-4);
    }
  });
});

describe('the engine', () => {
  it('learns a toy task well above chance', async () => {
    const engine = await createEngine(tiny, { backend: 'wasm', seed: 1, workers: 1 });
    let last = { loss: Infinity, imageToTextAccuracy: 0, textToImageAccuracy: 0, temperature: 0 };
    let first = 0;
    for (let step = 0; step < 40; step++) {
      last = await engine.step(toyBatch({ size: 8, imageSize: 16, classes: 8, seed: step + 1, shift: step }), { ...hyper, lr: 1e-2 });
      if (step === 0) first = last.loss;
    }
    expect(last.loss).toBeLessThan(first * 0.5);
    expect(last.imageToTextAccuracy).toBeGreaterThanOrEqual(0.75);
    expect(last.textToImageAccuracy).toBeGreaterThanOrEqual(0.75);
    const probe = toyBatch({ size: 8, imageSize: 16, classes: 8, seed: 99 });
    const images = await engine.embedImages(probe.images, 8);
    const texts = await engine.embedTexts(probe);
    let hits = 0;
    for (let i = 0; i < 8; i++) {
      let best = 0;
      let bestScore = -Infinity;
      for (let j = 0; j < 8; j++) {
        let score = 0;
        for (let d = 0; d < 16; d++) score += images[i * 16 + d]! * texts[j * 16 + d]!;
        if (score > bestScore) [best, bestScore] = [j, score];
      }
      if (best === i) hits++;
    }
    expect(hits).toBeGreaterThanOrEqual(6);
    await engine.dispose();
  });

  it('embeds to unit rows, and an empty caption to zeros', async () => {
    const engine = await createEngine(tiny, { backend: 'wasm', seed: 2, workers: 1 });
    const batch = toyBatch({ size: 3, imageSize: 16, classes: 3, seed: 5, emptyRow: 1 });
    const images = await engine.embedImages(batch.images, 3);
    const texts = await engine.embedTexts(batch);
    const norm = (v: Float32Array, row: number) => Math.hypot(...v.subarray(row * 16, row * 16 + 16));
    expect(norm(images, 0)).toBeCloseTo(1, 5);
    expect(norm(texts, 0)).toBeCloseTo(1, 5);
    expect(norm(texts, 1)).toBe(0);
    expect(engine.logitScale()).toBeCloseTo(1 / 0.07, 3);
    expect(await engine.embedImages(new Float32Array(0), 0)).toHaveLength(0);
    expect(await engine.embedTexts({ tokenIds: new Int32Array(0), offsets: Int32Array.from([0]) })).toHaveLength(0);
    await engine.dispose();
  });

  it('resumes exactly: same state and same batches give the same weights', async () => {
    const batches = [0, 1, 2, 3].map((i) => toyBatch({ size: 6, imageSize: 16, classes: 5, seed: 10 + i, shift: i }));
    const straight = await createEngine(tiny, { backend: 'wasm', seed: 3, workers: 1 });
    for (const batch of batches) await straight.step(batch, hyper);
    const first = await createEngine(tiny, { backend: 'wasm', seed: 3, workers: 1 });
    for (const batch of batches.slice(0, 2)) await first.step(batch, hyper);
    const saved = await first.exportState();
    const resumed = await createEngine(tiny, { backend: 'wasm', seed: 999, workers: 1 });
    await resumed.importState(saved);
    for (const batch of batches.slice(2)) await resumed.step(batch, hyper);
    const expected = await weightsOf(straight);
    const actual = await weightsOf(resumed);
    expected.forEach((values, i) => expect(maxAbsDiff(actual[i]!, values)).toBeLessThan(1e-6));
    expect((await resumed.exportState()).step).toBe(4);
    for (const engine of [straight, first, resumed]) await engine.dispose();
  });

  it('same seed, same initial weights; another seed, other weights', async () => {
    const a = await weightsOf(await createEngine(tiny, { backend: 'wasm', seed: 4, workers: 1 }));
    const b = await weightsOf(await createEngine(tiny, { backend: 'wasm', seed: 4, workers: 1 }));
    const c = await weightsOf(await createEngine(tiny, { backend: 'wasm', seed: 5, workers: 1 }));
    expect(a.every((v, i) => maxAbsDiff(v, b[i]!) === 0)).toBe(true);
    expect(a.some((v, i) => maxAbsDiff(v, c[i]!) > 0)).toBe(true);
  });

  it('refuses a state of another shape, naming the tensor, and keeps its weights', async () => {
    const engine = await createEngine(tiny, { backend: 'wasm', seed: 6, workers: 1 });
    const before = await weightsOf(engine);
    const other = await (await createEngine({ ...tiny, vocabSize: 20 }, { backend: 'wasm', seed: 6, workers: 1 })).exportState();
    await expect(engine.importState(other)).rejects.toThrow(/text\.embedding.*\[20, 16\].*\[12, 16\]/);
    const after = await weightsOf(engine);
    expect(before.every((v, i) => maxAbsDiff(v, after[i]!) === 0)).toBe(true);
  });

  it('rejects malformed batches with a message naming the field', async () => {
    const engine = await createEngine(tiny, { backend: 'wasm', seed: 7, workers: 1 });
    const batch = toyBatch({ size: 4, imageSize: 16, classes: 4, seed: 1 });
    await expect(engine.step({ ...batch, tokenIds: Int32Array.from(batch.tokenIds, () => 12) }, hyper)).rejects.toThrow(
      /tokenIds\[0\] is 12/,
    );
    await expect(engine.step({ ...batch, images: batch.images.subarray(1) }, hyper)).rejects.toThrow(/images must hold/);
    await expect(engine.step({ ...batch, offsets: batch.offsets.subarray(1) }, hyper)).rejects.toThrow(/offsets/);
  });
});
