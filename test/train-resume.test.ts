import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openRun } from '../train/index.js';
import { readCheckpoint } from '../train/checkpoint.js';
import { openmojiShards } from './fixtures/train-shards.js';
import { runWit, startWit } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';
import { tinyModelArgs } from './fixtures/train-args.js';

const shards = { trainCount: 1200, valCount: 256, shardSize: 300, pixels: 32 };
const model = tinyModelArgs('8,16', 16, '--shuffle-buffer', '200', '--seed', '3');
const run = (shardsDir: string, out: string, steps = 40) => [
  'train',
  '--shards',
  shardsDir,
  '--out',
  out,
  ...model,
  '--steps',
  String(steps),
  '--save-every',
  '10',
  '--log-every',
  '5',
];

async function waitForCheckpoint(dir: string, atLeastStep: number, timeoutMillis: number): Promise<number> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    const path = join(dir, 'checkpoint.json');
    if (existsSync(path)) {
      const step = (JSON.parse(readFileSync(path, 'utf8')) as { step: number }).step;
      if (step >= atLeastStep) return step;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no checkpoint of step >= ${atLeastStep} in ${dir} within ${timeoutMillis} ms`);
}

async function waitForMetricsStep(dir: string, atLeastStep: number, timeoutMillis: number): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    const path = join(dir, 'metrics.jsonl');
    const steps = existsSync(path)
      ? readFileSync(path, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { step: number }).step)
      : [];
    if (steps.some((step) => step >= atLeastStep)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no metrics line of step >= ${atLeastStep} in ${dir} within ${timeoutMillis} ms`);
}

function maxDifference(a: Awaited<ReturnType<typeof finalWeights>>, b: Awaited<ReturnType<typeof finalWeights>>): number {
  let max = 0;
  for (const [name, { data }] of Object.entries(a.state.tensors)) {
    const other = b.state.tensors[name]!.data;
    for (let i = 0; i < data.length; i++) max = Math.max(max, Math.abs(data[i]! - other[i]!));
  }
  return max;
}

async function finalWeights(dir: string) {
  const checkpoint = await readCheckpoint(dir);
  if (!checkpoint) throw new Error(`no checkpoint in ${dir}`);
  return checkpoint;
}

describe('wit train, killed and resumed', () => {
  const root = tempDir('wit-train-resume-');

  test('SIGKILL after a checkpoint, then --resume, ends with the weights of an uninterrupted run', async () => {
    const shardsDir = await openmojiShards(shards);
    const straight = runWit(run(shardsDir, join(root, 'straight')), { timeoutMillis: 150_000 });
    expect(straight.stderr).toContain('backend: wasm was asked for');
    expect(straight.status, straight.stderr).toBe(0);
    expect(straight.stdout).toMatch(/trained 40\/40 steps on wasm/);

    const child = startWit(run(shardsDir, join(root, 'killed')));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let killedAt: number;
    try {
      killedAt = await waitForCheckpoint(join(root, 'killed'), 10, 120_000);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    expect(killedAt).toBeLessThan(40);
    // The decoded images are not trusted after a kill: one flipped byte and the cache is rebuilt, with the same pixels.
    const cachePath = join(root, 'killed', 'decoded.bin');
    const cache = readFileSync(cachePath);
    cache[cache.length >> 1]! ^= 0x55;
    writeFileSync(cachePath, cache);

    const resumed = runWit(['train', '--out', join(root, 'killed'), '--resume', '--backend', 'wasm', '--cache-mb', '0'], {
      timeoutMillis: 150_000,
    });
    expect(resumed.stderr).toMatch(/decoded cache: .*decoded\.bin is damaged \(bad checksum at byte \d+\): rebuilding it/);
    expect(resumed.stderr).toMatch(/resuming .*killed at step \d+ of 40/);
    expect(resumed.status, resumed.stderr).toBe(0);

    const a = await finalWeights(join(root, 'straight'));
    const b = await finalWeights(join(root, 'killed'));
    expect(b.meta).toEqual(a.meta);
    expect(Object.keys(b.state.tensors).sort()).toEqual(Object.keys(a.state.tensors).sort());
    const maxDiff = maxDifference(a, b);
    console.log(`killed at checkpoint step ${killedAt}; max |weight difference| after resume: ${maxDiff}`);
    expect(maxDiff).toBeLessThan(1e-6);

    const config = JSON.parse(readFileSync(join(root, 'killed', 'config.json'), 'utf8')) as { runtime: { workers: number } };
    expect(config.runtime.workers).toBe(1); // the resume kept the run's worker count
    // metrics.jsonl has each step once (the lines the killed run wrote past its checkpoint were dropped),
    // and the resumed run kept the run's --log-every.
    const steps = readFileSync(join(root, 'killed', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: number; split?: string });
    expect(steps.filter((line) => !line.split).map((line) => line.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
  }, 300_000);

  test('Ctrl-C (SIGINT) stops after the step in progress with a checkpoint there; --resume continues to the same weights', async () => {
    const shardsDir = await openmojiShards(shards);
    const out = join(root, 'interrupted');
    const child = startWit(run(shardsDir, out));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitForMetricsStep(out, 5, 120_000);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(130);
    const stoppedAt = Number(
      /stopped at step (\d+) of 40; the checkpoint is saved: continue with `wit train --out .* --resume`/.exec(stderr)?.[1],
    );
    expect(stoppedAt).toBeGreaterThanOrEqual(5);
    expect((await finalWeights(out)).meta.step).toBe(stoppedAt);
    const resumed = runWit(['train', '--out', out, '--resume', '--backend', 'wasm'], { timeoutMillis: 150_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(maxDifference(await finalWeights(join(root, 'straight')), await finalWeights(out))).toBeLessThan(1e-6);
  }, 300_000);

  test('--resume refuses a changed setting; a new run refuses a folder that holds one', () => {
    const out = join(root, 'straight');
    const changed = runWit(['train', '--out', out, '--resume', '--batch', '32']);
    expect(changed.status).toBe(1);
    expect(changed.stderr).toMatch(/^wit: --batch 32 differs from the run being resumed \(16\)/);
    const again = runWit(['train', '--shards', '/nonexistent', '--out', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already holds a run (config.json): pass --resume');
    const nothing = runWit(['train', '--out', join(root, 'empty'), '--resume']);
    expect(nothing.stderr).toContain('nothing to resume');
    const finished = runWit(['train', '--out', out, '--resume', '--backend', 'wasm']);
    expect(finished.status, finished.stderr).toBe(0);
    expect(finished.stdout).toContain('nothing left to train');
  });
});

describe('wit train, bad inputs', () => {
  const root = tempDir('wit-train-bad-');

  test('an unreadable shard is named, with what to do; no stack trace', async () => {
    const shardsDir = join(root, 'broken');
    mkdirSync(shardsDir);
    const source = await openmojiShards(shards);
    copyFileSync(join(source, 'train-000000.tar'), join(shardsDir, 'train-000000.tar'));
    writeFileSync(join(shardsDir, 'train-000001.tar'), readFileSync(join(source, 'train-000001.tar')).subarray(0, 5000));
    const result = runWit(['train', '--shards', shardsDir, '--out', join(root, 'out1'), ...model, '--steps', '2']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^wit: cannot read shard .*train-000001\.tar: the archive ends inside .*\(truncated file\)\. Re-create the shards/m,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(root, 'out1', 'config.json'))).toBe(false);
    writeFileSync(join(root, 'a-file'), 'not a folder');
    const outIsFile = runWit(['train', '--shards', source, '--out', join(root, 'a-file'), ...model, '--steps', '2']);
    expect(outIsFile.status).toBe(1);
    expect(outIsFile.stderr).toMatch(/^wit: cannot create the run folder .*a-file \(EEXIST\): pass a folder path with --out/);
  });

  test('an empty shard folder, and a missing --shards, are refused', () => {
    mkdirSync(join(root, 'empty'));
    const empty = runWit(['train', '--shards', join(root, 'empty'), '--out', join(root, 'out2')]);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/^wit: the shard folder .*empty holds no train shards/);
    const missing = runWit(['train', '--out', join(root, 'out2')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--shards is required');
    const badFlag = runWit(['train', '--shards', join(root, 'empty'), '--out', join(root, 'out2'), '--batch', '1']);
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toContain('--batch must be a whole number from 2 to');
  });

  test('a vocab.json that does not match the checkpoint is refused by --resume and openRun', async () => {
    const shardsDir = await openmojiShards(shards);
    const out = join(root, 'vocab-run');
    const trained = runWit(run(shardsDir, out, 10));
    expect(trained.status, trained.stderr).toBe(0);
    const vocabPath = join(out, 'vocab.json');
    const vocab = JSON.parse(readFileSync(vocabPath, 'utf8')) as { words: string[] };
    const swapped = { ...vocab, words: [...vocab.words].reverse() };
    writeFileSync(vocabPath, JSON.stringify(swapped));
    const resumed = runWit(['train', '--out', out, '--resume', '--steps', '10']);
    expect(resumed.status).toBe(1);
    expect(resumed.stderr).toMatch(/vocab\.json is not the vocabulary the checkpoint .* was trained with/);
    await expect(openRun(out)).rejects.toThrow(/not the vocabulary the checkpoint/);
    writeFileSync(vocabPath, JSON.stringify({ ...vocab, words: vocab.words.slice(1) }));
    await expect(openRun(out)).rejects.toThrow(
      new RegExp(`has ${vocab.words.length - 1} words but the model .* was built for ${vocab.words.length}`),
    );
    await expect(openRun(join(root, 'empty'))).rejects.toThrow(/is not a wit run folder/);
  });

  test('a NaN loss stops the run with a clear message and keeps the last good checkpoint', async () => {
    const shardsDir = await openmojiShards(shards);
    const out = join(root, 'diverge');
    const result = runWit([
      'train',
      '--shards',
      shardsDir,
      '--out',
      out,
      ...model,
      '--steps',
      '10',
      '--lr',
      '1e30',
      '--warmup',
      '0',
      '--save-every',
      '1',
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /wit: training diverged: the loss at step (\d+) is (NaN|Infinity|-Infinity); the last good checkpoint \(step \d+\) in .* is kept/,
    );
    const failedStep = Number(/the loss at step (\d+)/.exec(result.stderr)![1]);
    expect((await finalWeights(out)).meta.step).toBe(failedStep - 1);
  });
});
