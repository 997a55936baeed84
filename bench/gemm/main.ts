import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import {
  createEngine,
  defaultModelConfig,
  loadNativeGemm,
  wasmConvolutionKernels,
  type Engine,
  type NativeGemm,
} from '../../train/index.js';
import { runPeer } from '../train/run-peer.js';
import { syntheticBatch } from '../train/synthetic-batch.js';
import { loadText } from '../machine-load.js';

/**
 * What the OpenBLAS addon (npm run build:native) gives the wasm engine: the model's GEMM shapes on
 * tfjs-wasm (XNNPACK, 128-bit SIMD) and on OpenBLAS on the same wasm heap, then one engine thread's
 * training step (forward, backward, AdamW) of a 128-pair slice, a worker's share of batch 256, with
 * the convolutions on XNNPACK and on OpenBLAS (im2col + sgemm), alternating per round;
 * CPU milliseconds, as one thread, and the loss of both, which must agree; beside them the same step
 * in PyTorch on one thread (bench/peer/train_step.py).
 *   node dist/bench/gemm/main.js [--rounds 4] [--steps 2]
 */
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '4' }, steps: { type: 'string', default: '2' } } });
const cpuMillis = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

const native = loadNativeGemm();
if (typeof native === 'string') {
  console.log(`gemm: not run, ${native}`);
  process.exit(0);
}
const engine = await createEngine(defaultModelConfig, { backend: 'wasm', seed: 0, workers: 1 });
const kernels = wasmConvolutionKernels();
const use = (kernels: tf.KernelConfig[]) =>
  kernels.forEach((kernel) => {
    tf.unregisterKernel(kernel.kernelName, 'wasm');
    tf.registerKernel(kernel);
  });

gemmTable(native);
const batch = syntheticBatch(128, defaultModelConfig.imageSize, defaultModelConfig.vocabSize, 10, 1);
const hyper = { lr: 5e-4, weightDecay: 0.1, gradClipNorm: 1 };
const variants = [
  { label: 'convolutions on XNNPACK', kernels: kernels.xnnpack, millis: [] as number[] },
  { label: 'convolutions on OpenBLAS', kernels: kernels.openBlas as tf.KernelConfig[], millis: [] as number[] },
];
const firstState = await engine.exportState();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const variant of variants) {
    use(variant.kernels);
    await engine.importState(firstState);
    const losses = await timedSteps(engine, variant.millis);
    console.log(
      `round ${round + 1}: ${variant.label} ${variant.millis.at(-1)!.toFixed(0)} CPU ms/step, losses ${losses} · load ${loadText()}`,
    );
  }
}
await engine.dispose();
const { vocabSize, embedDim, imageSize } = defaultModelConfig;
const peer = runPeer({ batch: 128, imageSize, vocabSize, embedDim, wordsPerCaption: 10, steps: 5, threads: 1 });
const peerMillis = typeof peer === 'string' ? undefined : peer.cpuSecsPerStep * 1000;
console.log(
  peerMillis === undefined ? `peer: not run, ${peer}` : `peer: PyTorch 1 thread ${peerMillis.toFixed(0)} CPU ms/step · load ${loadText()}`,
);
for (const variant of variants) {
  const millis = median(variant.millis);
  const ratio = peerMillis === undefined ? '' : ` = ${(peerMillis / millis).toFixed(2)}x PyTorch's samples per CPU-s`;
  console.log(`median: ${variant.label} ${millis.toFixed(0)} CPU ms per step of 128 pairs${ratio}`);
}

/** One warm-up step, then `--steps` timed; pushes the mean CPU ms per timed step, returns every loss. */
async function timedSteps(engine: Engine, millis: number[]): Promise<string> {
  const losses = [(await engine.step(batch, hyper)).loss];
  const started = cpuMillis();
  for (let i = 0; i < Number(values.steps); i++) losses.push((await engine.step(batch, hyper)).loss);
  millis.push((cpuMillis() - started) / Number(values.steps));
  return losses.map((loss) => loss.toFixed(6)).join(' ');
}

/** The model's conv GEMMs (forward layers 4, 3, 2 and 1 as [positions, patch] x [patch, out], a filter gradient) on both. */
function gemmTable(gemm: NativeGemm): void {
  const backend = tf.backend() as BackendWasm;
  const heap = (t: tf.Tensor) => backend.typedArrayFromHeap(t) as Float32Array;
  for (const [m, k, n] of [
    [2048, 1152, 256],
    [8192, 576, 128],
    [32768, 288, 64],
    [131072, 27, 32],
    [576, 4096, 128],
  ] as const) {
    const [a, b, c] = [tf.randomNormal([m, k]), tf.randomNormal([k, n]), tf.zeros([m, n])];
    const xnnpack = timed(() => tf.matMul(a, b).dispose());
    const openBlas = timed(() => gemm.sgemm(0, 0, m, n, k, heap(a), heap(b), heap(c), 0));
    const rate = (ms: number) => `${((m * k * n) / ms / 1e6).toFixed(1)} GMAC/s`;
    console.log(
      `gemm ${m}x${k}x${n}: XNNPACK ${xnnpack.toFixed(1)} CPU ms (${rate(xnnpack)}), OpenBLAS ${openBlas.toFixed(1)} (${rate(openBlas)}) · load ${loadText()}`,
    );
    tf.dispose([a, b, c]);
  }
}

function timed(run: () => void): number {
  run();
  const started = cpuMillis();
  for (let i = 0; i < 5; i++) run();
  return (cpuMillis() - started) / 5;
}

function median(list: number[]): number {
  const sorted = [...list].sort((x, y) => x - y);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}
