import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { encodeTexts, listShards, loadImageForEval, openRun, readShardSamples, train, type StepMetrics } from '../train/index.js';
import { retrievalHits } from '../train/validation.js';
import { openmojiShards } from './fixtures/train-shards.js';
import { tempDir } from './fixtures/temp-dir.js';

// Real openmoji art, no skin-tone near-copies: val emoji are unseen in training.
const shards = { trainCount: 1200, valCount: 256, shardSize: 300, pixels: 32 };

test('learning is real: validation in-batch retrieval ends well above chance, and openRun reproduces it', async () => {
  const shardsDir = await openmojiShards(shards);
  const outDir = join(tempDir('wit-train-learn-'), 'run');
  const messages: string[] = [];
  const result = await train({
    shardsDir,
    outDir,
    backend: 'wasm',
    workers: 1,
    steps: 120,
    batchSize: 32,
    imageSize: 16,
    embedDim: 32,
    convChannels: [8, 16, 32],
    lr: 0.003,
    weightDecay: 0.05,
    seed: 1,
    saveEverySteps: 60,
    logEverySteps: 20,
    log: (message) => messages.push(message),
  });
  expect(messages.some((m) => m.startsWith('backend: wasm was asked for'))).toBe(true);
  expect(readdirSync(outDir).sort()).toEqual([
    'checkpoint.json',
    'config.json',
    'decoded.bin',
    'metrics.jsonl',
    'vocab.json',
    'weights-00000120.bin',
  ]);

  const lines = readFileSync(join(outDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as StepMetrics & Record<string, unknown>);
  const steps = lines.filter((line) => line.split === undefined);
  expect(steps.map((line) => line.step)).toEqual([20, 40, 60, 80, 100, 120]);
  expect(Object.keys(steps[0]!)).toEqual(['step', 'epoch', 'loss', 'lr', 'temperature', 'i2t_acc', 't2i_acc', 'samples_per_sec']);
  expect(steps.at(-1)!.loss).toBeLessThan(steps[0]!.loss - 0.5);
  expect(steps.at(-1)!.epoch).toBeGreaterThan(3);

  const validation = result.validation!;
  const chance = 1 / validation.val_batch;
  console.log(
    `openmoji validation in-batch retrieval after 120 steps: i2t ${validation.val_i2t_acc}, t2i ${validation.val_t2i_acc}, batch ${validation.val_batch} (chance ${chance.toFixed(4)})`,
  );
  expect(validation.val_batch).toBe(32);
  expect(validation.val_samples).toBeGreaterThanOrEqual(192);
  expect(validation.val_i2t_acc).toBeGreaterThan(3 * chance);
  expect(validation.val_t2i_acc).toBeGreaterThan(3 * chance);
  expect(lines.at(-1)).toMatchObject({ split: 'val', step: 120 });

  // The eval door: the saved run, loaded with openRun, scores the same on the first val batch.
  const run = await openRun(outDir, { backend: 'wasm' });
  try {
    expect(run.step).toBe(120);
    const [valShard] = await listShards(shardsDir, 'val');
    const images: Float32Array[] = [];
    const texts: string[] = [];
    for await (const sample of readShardSamples(valShard!.path)) {
      if (run.vocab.encode(sample.txt).length === 0) continue;
      images.push(await loadImageForEval(sample.jpg, run.config.model.imageSize));
      texts.push(sample.txt);
      if (texts.length === 32) break;
    }
    const pixels = new Float32Array(images.length * images[0]!.length);
    images.forEach((image, i) => pixels.set(image, i * image.length));
    const hits = retrievalHits(await run.engine.embedImages(pixels, 32), await run.engine.embedTexts(encodeTexts(run.vocab, texts)), 32);
    expect(hits.imageToText / 32).toBeGreaterThan(3 * chance);
  } finally {
    await run.engine.dispose();
  }
}, 150_000);
