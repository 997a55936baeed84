import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openmojiShards } from '../../test/fixtures/train-shards.js';
import { centreCropNormalised, encodeTexts, openRun, train } from '../../train/index.js';
import { exportForPeer, readHeldOut, type HeldOutImage } from './export-data.js';
import { runLearnPeer } from './run-learn-peer.js';
import { meanSpread } from './seed-spread.js';
import { allPrompts, scoreTemplateSets, templateSets, type TopK } from './template-scores.js';
import { loadText } from '../machine-load.js';

/**
 * Does wit learn as well as PyTorch from the same data? Real openmoji images captioned by their
 * names, made into shards by the test fixture (held-out emoji in the val split, never trained on);
 * `wit train` and the same recipe in PyTorch (bench/peer/learn.py, on the images wit decoded) at
 * each --epochs and --seeds, then zero-shot top-1/top-5 of both on the held-out images (each its
 * own class) with each prompt set of template-scores.ts, scored by the same code; per seed, then
 * the mean ± standard deviation over the seeds, with the load.
 *   node dist/bench/learn/main.js [--epochs 10,30] [--seeds 0,1,2] [--train 1000] [--held-out 100] [--image-size 32] [--batch 128] [--lr X] [--wd X]
 */
const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10,30' },
    seeds: { type: 'string', default: '0,1,2' },
    train: { type: 'string', default: '1000' },
    'held-out': { type: 'string', default: '100' },
    pixels: { type: 'string', default: '64' },
    'image-size': { type: 'string', default: '32' },
    batch: { type: 'string', default: '128' },
    workers: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    lr: { type: 'string' },
    wd: { type: 'string' },
  },
});
const imageSize = Number(values['image-size']);
const seeds = values.seeds.split(',').map(Number);
const pct = (value: number) => `${(100 * value).toFixed(1)}%`;
type Scores = Record<string, TopK>;

async function witEmbeddings(
  runDir: string,
  heldOut: readonly HeldOutImage[],
  prompts: readonly string[],
): Promise<{ images: Float32Array; prompts: Float32Array; dim: number }> {
  const run = await openRun(runDir, { backend: 'wasm' });
  try {
    const pixels = imageSize * imageSize * 3;
    const images = new Float32Array(heldOut.length * pixels);
    heldOut.forEach((item, i) => centreCropNormalised(item.image, imageSize, images, i * pixels));
    return {
      images: await run.engine.embedImages(images, heldOut.length),
      prompts: await run.engine.embedTexts(encodeTexts(run.vocab, prompts)),
      dim: run.config.model.embedDim,
    };
  } finally {
    await run.engine.dispose();
  }
}

function describe(scores: Scores): string {
  return Object.entries(scores)
    .map(([set, s]) => `${set} ${pct(s.top1)}/${pct(s.top5)}`)
    .join(', ');
}

/** One line per template set: each model's mean ± spread over the seeds, and the paired difference. */
function summarise(epochs: number, wit: Scores[], peer: Scores[]): void {
  for (const set of Object.keys(templateSets)) {
    const of = (runs: Scores[], k: keyof TopK) => runs.map((run) => run[set]![k]);
    const diff = (k: keyof TopK) => wit.map((run, i) => run[set]![k] - (peer[i]?.[set]?.[k] ?? Number.NaN));
    const peerPart =
      peer.length === wit.length
        ? ` · PyTorch ${meanSpread(of(peer, 'top1'))} / ${meanSpread(of(peer, 'top5'))} · wit - PyTorch ${meanSpread(diff('top1'))} / ${meanSpread(diff('top5'))} points`
        : '';
    console.log(
      `epochs ${epochs}, ${set}, ${wit.length} seeds: wit top-1/top-5 ${meanSpread(of(wit, 'top1'))} / ${meanSpread(of(wit, 'top5'))}${peerPart}`,
    );
  }
}

const work = mkdtempSync(join(tmpdir(), 'wit-bench-learn-'));
try {
  const shardsDir = await openmojiShards({
    trainCount: Number(values.train),
    valCount: Number(values['held-out']),
    shardSize: 500,
    pixels: Number(values.pixels),
  });
  const heldOut = await readHeldOut(shardsDir, imageSize);
  const prompts = allPrompts(heldOut.map((item) => item.className));
  const n = heldOut.length;
  console.log(
    `data: ${values.train} openmoji train pairs, ${n} held-out emoji (${n}-way zero-shot; prompt sets: ${Object.entries(templateSets)
      .map(([set, t]) => `${set} ${t.length}`)
      .join(', ')}), ${values.pixels}-px JPEGs trained at ${imageSize} px, batch ${values.batch}, seeds ${seeds.join(',')}`,
  );
  console.log(
    `cores: ${availableParallelism()}; wit ${values.workers} worker(s), PyTorch ${values.threads} thread(s); lr ${values.lr ?? 'default'}, wd ${values.wd ?? 'default'}`,
  );
  for (const epochs of values.epochs.split(',').map(Number)) {
    const witRuns: Scores[] = [];
    const peerRuns: Scores[] = [];
    for (const seed of seeds) {
      const runDir = join(work, `wit-${epochs}-${seed}`);
      const started = performance.now();
      const result = await train({
        shardsDir,
        outDir: runDir,
        backend: 'wasm',
        epochs,
        seed,
        batchSize: Number(values.batch),
        imageSize,
        workers: Number(values.workers),
        ...(values.lr !== undefined && { lr: Number(values.lr) }),
        ...(values.wd !== undefined && { weightDecay: Number(values.wd) }),
        log: () => undefined,
      });
      const witSeconds = (performance.now() - started) / 1000;
      const wit = await witEmbeddings(runDir, heldOut, prompts);
      witRuns.push(scoreTemplateSets(wit.images, wit.prompts, n, wit.dim));
      const samplesSeen = result.steps * Number(values.batch);
      console.log(
        `epochs ${epochs} seed ${seed}: wit     ${describe(witRuns.at(-1)!)} (top-1/top-5) · ${samplesSeen} samples seen in ${witSeconds.toFixed(1)} s (all of wit train: decoding, startup, validation) · load ${loadText()}`,
      );
      const dataPath = join(work, `peer-${epochs}-${seed}`);
      const config = await exportForPeer(runDir, shardsDir, heldOut, prompts, dataPath);
      const peer = runLearnPeer(dataPath, config.train, Number(values.threads), seed);
      if (typeof peer === 'string') {
        console.log(`epochs ${epochs} seed ${seed}: PyTorch not run: ${peer}`);
        continue;
      }
      const dim = config.model.embedDim;
      peerRuns.push(scoreTemplateSets(peer.embeddings.subarray(0, n * dim), peer.embeddings.subarray(n * dim), n, dim));
      console.log(
        `epochs ${epochs} seed ${seed}: PyTorch ${describe(peerRuns.at(-1)!)} · ${peer.samplesSeen} samples seen in ${peer.seconds.toFixed(1)} s of training loop (torch ${peer.torch}, ${peer.blasLibraries.map((l) => l.split('/').pop()).join(', ') || 'no BLAS mapped'}) · load ${loadText()}`,
      );
    }
    summarise(epochs, witRuns, peerRuns);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
