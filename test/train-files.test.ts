import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../train/checkpoint.js';
import type { EngineState } from '../train/engine/index.js';
import { resolveModelConfig } from '../train/engine/model-config.js';
import { MetricsLog } from '../train/metrics-log.js';
import { checkResumeOptions, resolveSettings, validateTrainOptions } from '../train/options.js';
import { tempDir } from './fixtures/temp-dir.js';

function state(step: number, fill: number): EngineState {
  return {
    step,
    tensors: {
      'text.embedding': { shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6].map((v) => v * fill)) },
      'adam.m/text.embedding': { shape: [3, 2], data: new Float32Array(6).fill(fill / 10) },
      temperature: { shape: [], data: Float32Array.from([Math.log(1 / 0.07)]) },
    },
  };
}

describe('checkpoint files', () => {
  test('round-trip exactly; a newer checkpoint replaces the older weights file; leftovers of a kill are ignored', async () => {
    const dir = tempDir('wit-train-ckpt-');
    expect(await readCheckpoint(dir)).toBeUndefined();
    const meta = { step: 10, data: { epoch: 0, samplesDrawn: 320 }, vocabFingerprint: 'abc' };
    await writeCheckpoint(dir, state(10, 1), meta);
    // What a kill during the next save leaves: a half-written temp weights file.
    writeFileSync(join(dir, 'weights-00000020.bin.tmp'), Buffer.alloc(7));
    const read = await readCheckpoint(dir);
    expect(read!.meta).toEqual(meta);
    expect(read!.state).toEqual(state(10, 1));
    await writeCheckpoint(dir, state(20, 2), { ...meta, step: 20 });
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'weights-00000020.bin']);
    expect((await readCheckpoint(dir))!.state.tensors['text.embedding']!.data).toEqual(Float32Array.from([2, 4, 6, 8, 10, 12]));
  });

  test('a damaged weights file or index is a WitError saying so', async () => {
    const dir = tempDir('wit-train-ckpt-bad-');
    await writeCheckpoint(dir, state(5, 1), { step: 5, data: { epoch: 0, samplesDrawn: 5 }, vocabFingerprint: 'abc' });
    truncateSync(join(dir, 'weights-00000005.bin'), 10);
    await expect(readCheckpoint(dir)).rejects.toThrow(
      /weights-00000005\.bin holds 10 bytes but .* expects 52: the weights file is damaged/,
    );
    writeFileSync(join(dir, 'checkpoint.json'), '{"step": 5');
    await expect(readCheckpoint(dir)).rejects.toThrow(/checkpoint\.json is not valid JSON/);
  });

  test('random bytes of the right size in the weights file fail the recorded checksum, naming the file', async () => {
    const dir = tempDir('wit-train-ckpt-sum-');
    await writeCheckpoint(dir, state(5, 1), { step: 5, data: { epoch: 0, samplesDrawn: 5 }, vocabFingerprint: 'abc' });
    const weights = join(dir, 'weights-00000005.bin');
    const size = readFileSync(weights).length;
    writeFileSync(weights, Buffer.from(Array.from({ length: size }, (_, i) => (i * 89 + 7) & 0xff)));
    await expect(readCheckpoint(dir)).rejects.toThrow(
      /weights-00000005\.bin is damaged: its SHA-256 is not the one .*checkpoint\.json recorded/,
    );
  });
});

describe('metrics.jsonl', () => {
  test('reopening for a resume drops lines past the checkpoint and a torn last line', async () => {
    const dir = tempDir('wit-train-metrics-');
    const path = join(dir, 'metrics.jsonl');
    const line = (step: number) =>
      JSON.stringify({ step, epoch: 0, loss: 1, lr: 0, temperature: 1, i2t_acc: 0, t2i_acc: 0, samples_per_sec: 1 });
    writeFileSync(path, `${line(5)}\n${line(10)}\n${line(15)}\n{"step": 2`);
    const log = await MetricsLog.open(path, 10);
    await log.append({ step: 15, epoch: 0.5, split: 'val', val_i2t_acc: 0.5, val_t2i_acc: 0.5, val_samples: 64, val_batch: 32 });
    expect(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { step: number }).step),
    ).toEqual([5, 10, 15]);
  });
});

describe('train options', () => {
  test('defaults: epochs give the steps, warmup is a tenth of the run up to 500', () => {
    expect(resolveSettings({ outDir: 'x', epochs: 2 }, 50)).toMatchObject({
      totalSteps: 100,
      warmupSteps: 10,
      batchSize: 256,
      imageSize: 64,
      vocabWords: 20000,
      embedDim: 256,
      lr: 5e-4,
      weightDecay: 0.2,
      seed: 0,
      gradClipNorm: null,
    });
    expect(resolveSettings({ outDir: 'x', steps: 100_000 }, 50)).toMatchObject({ totalSteps: 100_000, warmupSteps: 500 });
  });

  test('bad numbers are refused naming the flag and the option', () => {
    expect(() => validateTrainOptions({ outDir: 'x', imageSize: 0 })).toThrow(
      '--image-size must be a whole number from 8 to 1024 (TrainOptions.imageSize); got 0',
    );
    expect(() => validateTrainOptions({ outDir: 'x', lr: -1 })).toThrow(
      '--lr must be a number above 0, at most 3.4e+38 (TrainOptions.lr); got -1',
    );
    expect(() => validateTrainOptions({ outDir: 'x', steps: Number.NaN })).toThrow(
      '--steps must be a whole number from 1 to 1000000000 (TrainOptions.steps); got NaN',
    );
    expect(() => validateTrainOptions({ outDir: 'x', convChannels: [8, 0] })).toThrow(/--conv-channels must be/);
  });

  test("the model's shape is refused by the same option error, naming the flag and ModelConfig", () => {
    const model = { vocabSize: 12, embedDim: 16, imageSize: 16 };
    expect(() => resolveModelConfig({ ...model, vocabSize: 0 })).toThrow(
      '--vocab must be a whole number from 1 to 10000000 (ModelConfig.vocabSize); got 0',
    );
    expect(() => resolveModelConfig({ ...model, wordDim: 1.5 })).toThrow(
      '--embed-dim must be a whole number from 1 to 8192 (ModelConfig.wordDim); got 1.5',
    );
    expect(() => resolveModelConfig({ ...model, convChannels: [] })).toThrow(/--conv-channels must be .* \(ModelConfig\.convChannels\)/);
    expect(resolveModelConfig(model)).toEqual({ ...model, wordDim: 16, convChannels: [32, 64, 128, 256] });
  });

  test('a resume may repeat the run settings but not change them', () => {
    const saved = resolveSettings({ outDir: 'x', steps: 40, batchSize: 16 }, 10);
    expect(() => checkResumeOptions({ outDir: 'x', steps: 40, batchSize: 16, saveEverySteps: 3 }, saved, 10)).not.toThrow();
    expect(() => checkResumeOptions({ outDir: 'x', epochs: 4 }, saved, 10)).not.toThrow();
    expect(() => checkResumeOptions({ outDir: 'x', epochs: 5 }, saved, 10)).toThrow(
      '--steps/--epochs 50 differs from the run being resumed (40)',
    );
    expect(() => checkResumeOptions({ outDir: 'x', seed: 1 }, saved, 10)).toThrow(/--seed 1 differs/);
  });
});
