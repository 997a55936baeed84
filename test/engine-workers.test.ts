import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type ModelConfig, type StepHyper } from '../train/index.js';
import { toyBatch } from './fixtures/engine-batches.js';

// The workers run dist/train/engine/worker-main.js: `npm run build` first (npm test does).
const tiny: ModelConfig = { vocabSize: 12, embedDim: 16, imageSize: 16, convChannels: [8, 16] };
const hyper: StepHyper = { lr: 3e-3, weightDecay: 0.1, gradClipNorm: 0.5 };
const batches = [0, 1, 2].map((i) => toyBatch({ size: 7, imageSize: 16, classes: 5, seed: 20 + i, shift: i, emptyRow: i }));

async function flatState(engine: Engine): Promise<Float32Array> {
  const state = await engine.exportState();
  const names = Object.keys(state.tensors).sort();
  const out = new Float32Array(names.reduce((n, name) => n + state.tensors[name]!.data.length, 0));
  let at = 0;
  for (const name of names) {
    out.set(state.tensors[name]!.data, at);
    at += state.tensors[name]!.data.length;
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!)), 0);
}

describe('data-parallel wasm workers', () => {
  it('train exactly like one worker: same losses, accuracies, weights and Adam moments', async () => {
    const single = await createEngine(tiny, { backend: 'wasm', seed: 11, workers: 1 });
    const parallel = await createEngine(tiny, { backend: 'wasm', seed: 11, workers: 2 });
    for (const batch of batches) {
      const expected = await single.step(batch, hyper);
      const actual = await parallel.step(batch, hyper);
      expect(actual.loss).toBeCloseTo(expected.loss, 5);
      expect(actual.imageToTextAccuracy).toBe(expected.imageToTextAccuracy);
      expect(actual.textToImageAccuracy).toBe(expected.textToImageAccuracy);
      expect(actual.temperature).toBeCloseTo(expected.temperature, 5);
    }
    expect(maxAbsDiff(await flatState(parallel), await flatState(single))).toBeLessThan(1e-5);
    const probe = batches[0]!;
    expect(
      maxAbsDiff(await parallel.embedImages(probe.images, probe.size), await single.embedImages(probe.images, probe.size)),
    ).toBeLessThan(1e-5);
    expect(maxAbsDiff(await parallel.embedTexts(probe), await single.embedTexts(probe))).toBeLessThan(1e-6);
    await single.dispose();
    await parallel.dispose();
  });

  it('three workers on an uneven split agree too, and a state moves between worker counts', async () => {
    const three = await createEngine(tiny, { backend: 'wasm', seed: 12, workers: 3 });
    await three.step(batches[0]!, hyper);
    const saved = await three.exportState();
    expect(saved.step).toBe(1);
    const single = await createEngine(tiny, { backend: 'wasm', seed: 99, workers: 1 });
    await single.importState(saved);
    const expected = await single.step(batches[1]!, hyper);
    const actual = await three.step(batches[1]!, hyper);
    expect(actual.loss).toBeCloseTo(expected.loss, 5);
    expect(maxAbsDiff(await flatState(three), await flatState(single))).toBeLessThan(1e-5);
    await three.dispose();
    await single.dispose();
  });

  for (const workers of [1, 2]) {
    it(`a NaN loss (${workers} worker(s)) leaves weights, moments and step count untouched`, async () => {
      const engine = await createEngine(tiny, { backend: 'wasm', seed: 14, workers });
      await engine.step(batches[0]!, hyper);
      const before = await flatState(engine);
      const poisoned = { ...batches[1]!, images: batches[1]!.images.map((v, i) => (i === 3 ? Number.NaN : v)) };
      expect((await engine.step(poisoned, hyper)).loss).toBeNaN();
      expect(maxAbsDiff(await flatState(engine), before)).toBe(0);
      expect((await engine.exportState()).step).toBe(1);
      expect(Number.isFinite((await engine.step(batches[2]!, hyper)).loss)).toBe(true);
      await engine.dispose();
    });
  }

  it('a disposed engine refuses to step instead of hanging', async () => {
    const engine = await createEngine(tiny, { backend: 'wasm', seed: 13, workers: 2 });
    await engine.dispose();
    await expect(engine.step(batches[0]!, hyper)).rejects.toThrow(/disposed/);
  });
});
