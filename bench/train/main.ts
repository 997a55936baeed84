import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createEngine, defaultModelConfig, selectBackend, type BackendName } from '../../train/index.js';
import { runPeer } from './run-peer.js';
import { syntheticBatch } from './synthetic-batch.js';

/**
 * Training samples/s of wit's default model (batch 256, 64x64, vocab 20k, embed 256) and, in the
 * same run, of the same model and step in PyTorch on the CPU (bench/peer), with the ratio.
 *   node dist/bench/train/main.js [--steps 5] [--workers 1,2] [--backend wasm] [--skip-peer]
 */
const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '5' },
    'warmup-steps': { type: 'string', default: '2' },
    batch: { type: 'string', default: '256' },
    workers: { type: 'string', default: '' },
    backend: { type: 'string', default: 'wasm' },
    'skip-peer': { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const warmupSteps = Number(values['warmup-steps']);
const batchSize = Number(values.batch);
const wordsPerCaption = 10;
const config = defaultModelConfig;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function benchWit(backend: BackendName, workers: number | undefined): Promise<number> {
  const engine = await createEngine(config, { backend, seed: 0, ...(workers ? { workers } : {}) });
  const batches = [0, 1].map((seed) => syntheticBatch(batchSize, config.imageSize, config.vocabSize, wordsPerCaption, seed + 1));
  const hyper = { lr: 5e-4, weightDecay: 0.1, gradClipNorm: 1 };
  for (let i = 0; i < warmupSteps; i++) await engine.step(batches[i % 2]!, hyper);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < steps; i++) await engine.step(batches[i % 2]!, hyper);
  const secs = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  await engine.dispose();
  const samplesPerSec = (batchSize * steps) / secs;
  const cpuSecsPerStep = (cpu.user + cpu.system) / 1e6 / steps;
  console.log(
    `wit   ${backend} workers=${workers ?? 'default'}: ${samplesPerSec.toFixed(1)} samples/s (${(secs / steps).toFixed(3)} s/step, ` +
      `${cpuSecsPerStep.toFixed(3)} CPU-s/step) · load ${load()}`,
  );
  return samplesPerSec;
}

const picked = await selectBackend(values.backend as BackendName);
console.log(`model: batch ${batchSize}, ${config.imageSize}x${config.imageSize}, vocab ${config.vocabSize}, embed ${config.embedDim}, convs 3-${config.convChannels.join('-')}; ${steps} timed steps after ${warmupSteps} warm-up`);
console.log(`backend: ${picked.reason}`);
const workerCounts = values.workers ? values.workers.split(',').map(Number) : [undefined];
const witRates: number[] = [];
for (const workers of workerCounts) witRates.push(await benchWit(picked.name, workers));

if (!values['skip-peer']) {
  const peer = runPeer({ batch: batchSize, imageSize: config.imageSize, vocabSize: config.vocabSize, embedDim: config.embedDim, wordsPerCaption, steps, threads: 2 });
  if (typeof peer === 'string') {
    console.log(`peer  PyTorch: not run, ${peer}`);
  } else {
    console.log(`peer  PyTorch ${peer.torch} (${peer.threads} threads): ${peer.samplesPerSec.toFixed(1)} samples/s (${peer.secsPerStep.toFixed(3)} s/step, ${peer.cpuSecsPerStep.toFixed(3)} CPU-s/step) · load ${load()}`);
    console.log(`peer  BLAS: ${peer.blasLibraries.join(', ') || 'none mapped'} (512^3 matmul ${peer.matmul512Gflops.toFixed(1)} GFLOP/s)`);
    witRates.forEach((rate, i) => console.log(`ratio wit/PyTorch (workers=${workerCounts[i] ?? 'default'}): ${(rate / peer.samplesPerSec).toFixed(2)}x`));
  }
}
