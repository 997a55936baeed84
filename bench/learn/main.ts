import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openmojiShards } from '../../test/fixtures/train-shards.js';
import { cropNormalised, encodeTexts, openRun, train } from '../../train/index.js';
import { classificationMetrics, classPrompts, defaultTemplates } from '../../eval/index.js';
import { exportForPeer, readHeldOut, type HeldOutImage } from './export-data.js';
import { runLearnPeer } from './run-learn-peer.js';

/**
 * Does wit learn as well as PyTorch from the same data? Real openmoji images captioned by their
 * names, made into shards by the test fixture (held-out emoji in the val split, never trained on);
 * `wit train` and the same recipe in PyTorch (bench/peer/learn.py, on the images wit decoded) at
 * each --epochs, then zero-shot top-1/top-5 of both on the held-out images (each its own class,
 * prompt "a photo of a {name}."), with the load.
 *   node dist/bench/learn/main.js [--epochs 10,30] [--train 1000] [--held-out 100] [--image-size 32] [--batch 128]
 */
const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10,30' },
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
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

interface Score {
  top1: number;
  top5: number;
  seconds: number;
  samplesSeen: number;
}

async function witZeroShot(runDir: string, heldOut: readonly HeldOutImage[], prompts: readonly string[]): Promise<Pick<Score, 'top1' | 'top5'>> {
  const run = await openRun(runDir, { backend: 'wasm' });
  try {
    const pixels = imageSize * imageSize * 3;
    const images = new Float32Array(heldOut.length * pixels);
    heldOut.forEach((item, i) => cropNormalised(item.image, imageSize, 'centre', images, i * pixels));
    const imageEmbeddings = await run.engine.embedImages(images, heldOut.length);
    const textEmbeddings = await run.engine.embedTexts(encodeTexts(run.vocab, prompts));
    const dim = run.config.model.embedDim;
    const n = heldOut.length;
    const scores = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let c = 0; c < n; c++) for (let d = 0; d < dim; d++) scores[i * n + c]! += imageEmbeddings[i * dim + d]! * textEmbeddings[c * dim + d]!;
    const metrics = classificationMetrics(scores, Array.from({ length: n }, (_, i) => i), n);
    return { top1: metrics.top1, top5: metrics.top5 };
  } finally {
    await run.engine.dispose();
  }
}

const pct = (value: number) => `${(100 * value).toFixed(1)}%`;
const work = mkdtempSync(join(tmpdir(), 'wit-bench-learn-'));
try {
  const shardsDir = await openmojiShards({ trainCount: Number(values.train), valCount: Number(values['held-out']), shardSize: 500, pixels: Number(values.pixels) });
  const heldOut = await readHeldOut(shardsDir, imageSize);
  const prompts = classPrompts(heldOut.map((item) => item.className), defaultTemplates);
  console.log(`data: ${values.train} openmoji train pairs, ${heldOut.length} held-out emoji (${heldOut.length}-way zero-shot, prompt "${defaultTemplates[0]}"), ${values.pixels}-px JPEGs trained at ${imageSize} px, batch ${values.batch}`);
  console.log(`cores: ${availableParallelism()}; wit ${values.workers} worker(s), PyTorch ${values.threads} thread(s)`);
  for (const epochs of values.epochs.split(',').map(Number)) {
    const runDir = join(work, `wit-${epochs}`);
    const started = performance.now();
    const result = await train({
      shardsDir,
      outDir: runDir,
      backend: 'wasm',
      epochs,
      batchSize: Number(values.batch),
      imageSize,
      workers: Number(values.workers),
      ...(values.lr !== undefined && { lr: Number(values.lr) }),
      ...(values.wd !== undefined && { weightDecay: Number(values.wd) }),
      log: () => undefined,
    });
    const witSeconds = (performance.now() - started) / 1000;
    const wit = await witZeroShot(runDir, heldOut, prompts);
    const samplesSeen = result.steps * Number(values.batch);
    console.log(`epochs ${epochs}: wit     top-1 ${pct(wit.top1)} top-5 ${pct(wit.top5)} · ${samplesSeen} samples seen in ${witSeconds.toFixed(1)} s (all of wit train: decoding, startup, validation) · load ${load()}`);
    const dataPath = join(work, `peer-${epochs}`);
    const config = await exportForPeer(runDir, shardsDir, heldOut, prompts, dataPath);
    const peer = runLearnPeer(dataPath, config.train, Number(values.threads));
    if (typeof peer === 'string') {
      console.log(`epochs ${epochs}: PyTorch not run: ${peer}`);
      continue;
    }
    console.log(`epochs ${epochs}: PyTorch top-1 ${pct(peer.top1)} top-5 ${pct(peer.top5)} · ${peer.samplesSeen} samples seen in ${peer.seconds.toFixed(1)} s of training loop (torch ${peer.torch}, ${peer.blasLibraries.map((l) => l.split('/').pop()).join(', ') || 'no BLAS mapped'}) · load ${load()}`);
    console.log(`epochs ${epochs}: wit - PyTorch top-1 ${((wit.top1 - peer.top1) * 100).toFixed(1)} points, top-5 ${((wit.top5 - peer.top5) * 100).toFixed(1)} points`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
