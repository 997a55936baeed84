import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createEngine, defaultModelConfig, selectBackend, type BackendName, type StepPhases } from '../../train/index.js';
import { measureEndToEnd, type EndToEndFigures } from './end-to-end.js';
import { runPeer } from './run-peer.js';
import { syntheticBatch } from './synthetic-batch.js';
import { loadText } from '../machine-load.js';

/**
 * Training samples/s of wit's default model (batch 256, 64x64, vocab 20k, embed 256) and, in the
 * same run, of the same model and step in PyTorch on the CPU (bench/peer), with the ratio. Each
 * round measures every wit worker count and every peer thread count once, alternating, so that a
 * change in the machine's load hits both sides; the summary takes medians over rounds. `--backend`
 * takes a list (e.g. webgpu,wasm: each is measured in every round); worker counts apply to wasm,
 * other backends run in one thread. Each round also times `wit train` end to end on real 256-px
 * openmoji shards at 64 px beside PyTorch on the same images decoded once (bench/train/end-to-end.ts).
 * A ratio is printed only when the peer runs on OpenBLAS: on the reference BLAS it is several times
 * slower and any ratio is meaningless.
 *   node dist/bench/train/main.js [--steps 3] [--rounds 1] [--backend wasm] [--workers 1,2] [--peer-threads 2,1] [--skip-peer]
 *     [--e2e-pairs 1024] [--e2e-epochs 2] [--skip-end-to-end]
 */
const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '3' },
    'warmup-steps': { type: 'string', default: '1' },
    rounds: { type: 'string', default: '1' },
    batch: { type: 'string', default: '256' },
    workers: { type: 'string', default: '1,2' },
    'peer-threads': { type: 'string', default: '2,1' },
    backend: { type: 'string', default: 'wasm' },
    'skip-peer': { type: 'boolean', default: false },
    'e2e-pairs': { type: 'string', default: '1024' },
    'e2e-epochs': { type: 'string', default: '2' },
    'skip-end-to-end': { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const warmupSteps = Number(values['warmup-steps']);
const batchSize = Number(values.batch);
const wordsPerCaption = 10;
const config = defaultModelConfig;
interface Figure {
  samplesPerSec: number;
  cpuSecsPerStep: number;
}

async function measureWit(backend: BackendName, workers: number): Promise<Figure> {
  const engine = await createEngine(config, { backend, seed: 0, workers });
  const batches = [1, 2].map((seed) => syntheticBatch(batchSize, config.imageSize, config.vocabSize, wordsPerCaption, seed));
  const hyper = { lr: 5e-4, weightDecay: 0.1, gradClipNorm: 1 };
  for (let i = 0; i < warmupSteps; i++) await engine.step(batches[i % 2]!, hyper);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const phases: StepPhases[] = [];
  for (let i = 0; i < steps; i++) {
    const result = await engine.step(batches[i % 2]!, hyper);
    if (result.phaseMillis) phases.push(result.phaseMillis);
  }
  const secs = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  await engine.dispose();
  const figure = { samplesPerSec: (batchSize * steps) / secs, cpuSecsPerStep: (cpu.user + cpu.system) / 1e6 / steps };
  console.log(`wit   ${backend} ${workers} worker(s): ${describe(figure)} · load ${loadText()}`);
  if (phases.length > 0) console.log(`wit   per step in worker 0: ${describePhases(phases)}; data 0 (batches made before timing)`);
  return figure;
}

/** Mean milliseconds per phase over the timed steps. */
function describePhases(phases: StepPhases[]): string {
  const names = Object.keys(phases[0]!) as Array<keyof StepPhases>;
  return names.map((name) => `${name} ${(phases.reduce((sum, p) => sum + p[name], 0) / phases.length).toFixed(0)} ms`).join(', ');
}

const onOpenBlas = (libraries: readonly string[]) => libraries.some((library) => library.includes('openblas'));
let peerOnOpenBlas = true;

function measurePeer(threads: number): Figure | undefined {
  const peer = runPeer({
    batch: batchSize,
    imageSize: config.imageSize,
    vocabSize: config.vocabSize,
    embedDim: config.embedDim,
    wordsPerCaption,
    steps,
    threads,
  });
  if (typeof peer === 'string') {
    console.log(`peer  PyTorch ${threads} thread(s): not run, ${peer}`);
    return undefined;
  }
  const figure = { samplesPerSec: peer.samplesPerSec, cpuSecsPerStep: peer.cpuSecsPerStep };
  console.log(`peer  PyTorch ${peer.torch} ${peer.threads} thread(s): ${describe(figure)} · load ${loadText()}`);
  console.log(`peer  BLAS: ${peer.blasLibraries.join(', ') || 'none mapped'} (512^3 matmul ${peer.matmul512Gflops.toFixed(1)} GFLOP/s)`);
  peerOnOpenBlas &&= onOpenBlas(peer.blasLibraries);
  return figure;
}

function describe(figure: Figure): string {
  const secsPerStep = batchSize / figure.samplesPerSec;
  return `${figure.samplesPerSec.toFixed(1)} samples/s (${secsPerStep.toFixed(3)} s/step, ${figure.cpuSecsPerStep.toFixed(3)} CPU-s/step)`;
}

function median(figures: Figure[]): Figure {
  const middle = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const half = sorted.length / 2;
    return Number.isInteger(half) ? (sorted[half - 1]! + sorted[half]!) / 2 : sorted[Math.floor(half)]!;
  };
  return { samplesPerSec: middle(figures.map((f) => f.samplesPerSec)), cpuSecsPerStep: middle(figures.map((f) => f.cpuSecsPerStep)) };
}

console.log(
  `model: batch ${batchSize}, ${config.imageSize}x${config.imageSize}, vocab ${config.vocabSize}, embed ${config.embedDim}, convs 3-${config.convChannels.join('-')}; ${steps} timed steps after ${warmupSteps} warm-up, ${values.rounds} round(s)`,
);
const engines: Array<{ backend: BackendName; workers: number }> = [];
for (const requested of values.backend.split(',')) {
  const picked = await selectBackend(requested as BackendName);
  console.log(`backend: ${picked.reason}`);
  const workerCounts = picked.name === 'wasm' ? values.workers.split(',').map(Number) : [1];
  for (const workers of workerCounts) engines.push({ backend: picked.name, workers });
}
const engineLabel = ({ backend, workers }: (typeof engines)[number]) => `${backend} ${workers} worker(s)`;
const peerThreads = values['skip-peer'] ? [] : values['peer-threads'].split(',').map(Number);
const witFigures = new Map<string, Figure[]>(engines.map((engine) => [engineLabel(engine), []]));
const peerFigures = new Map<number, Figure[]>(peerThreads.map((t) => [t, []]));
const endToEnd: EndToEndFigures[] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  for (const engine of engines) witFigures.get(engineLabel(engine))!.push(await measureWit(engine.backend, engine.workers));
  for (const threads of peerThreads) {
    const figure = measurePeer(threads);
    if (figure) peerFigures.get(threads)!.push(figure);
  }
  if (!values['skip-end-to-end']) endToEnd.push(await measureEndToEndRound());
}

async function measureEndToEndRound(): Promise<EndToEndFigures> {
  const figures = await measureEndToEnd({
    trainPairs: Number(values['e2e-pairs']),
    epochs: Number(values['e2e-epochs']),
    batchSize,
    workers: 2,
    threads: 2,
  });
  const peer = typeof figures.peer === 'string' ? `not run, ${figures.peer}` : `${figures.peer.samplesPerSec.toFixed(1)} samples/s`;
  if (typeof figures.peer !== 'string') peerOnOpenBlas &&= onOpenBlas(figures.peer.blasLibraries);
  console.log(
    `end to end: wit train 2 workers ${figures.witSamplesPerSec.toFixed(1)} samples/s in ${figures.witSecs.toFixed(1)} s: decoding ${figures.witDecodeSecs.toFixed(1)} s, ` +
      `engine start and training loop ${figures.witTrainingSecs.toFixed(1)} s (waited for batches ${figures.witDataWaitShare} of the loop), the rest preparing and finishing; ` +
      `PyTorch 2 threads on the decoded images ${peer} · load ${loadText()}`,
  );
  return figures;
}

console.log('summary (medians):');
for (const [label, figures] of witFigures) {
  const wit = median(figures);
  const against = [...peerFigures]
    .filter(([, peer]) => peer.length > 0 && peerOnOpenBlas)
    .map(([threads, peer]) => {
      const reference = median(peer);
      const speed = wit.samplesPerSec / reference.samplesPerSec;
      const cpuEfficiency = reference.cpuSecsPerStep / wit.cpuSecsPerStep;
      return `${speed.toFixed(2)}x PyTorch-${threads}-thread samples/s (${cpuEfficiency.toFixed(2)}x its samples per CPU-s)`;
    });
  console.log(`  wit ${label}: ${describe(wit)}${against.length > 0 ? ` = ${against.join('; ')}` : ''}`);
}
const peerEndToEnd = endToEnd.flatMap((f) =>
  typeof f.peer === 'string' ? [] : [{ samplesPerSec: f.peer.samplesPerSec, cpuSecsPerStep: 0 }],
);
if (endToEnd.length > 0) {
  const wit = median(endToEnd.map((f) => ({ samplesPerSec: f.witSamplesPerSec, cpuSecsPerStep: 0 }))).samplesPerSec;
  const ratio =
    peerEndToEnd.length > 0 && peerOnOpenBlas
      ? ` = ${(wit / median(peerEndToEnd).samplesPerSec).toFixed(2)}x PyTorch-2-thread (${median(peerEndToEnd).samplesPerSec.toFixed(1)} samples/s)`
      : '';
  console.log(`  end to end, wit train 2 workers: ${wit.toFixed(1)} samples/s${ratio}`);
}
if (!peerOnOpenBlas)
  console.log(
    '  no ratio: the PyTorch peer did not load OpenBLAS (apt-get install libopenblas0-pthread); on the reference BLAS it is several times slower',
  );
console.log(`  load now ${loadText()} (1/5/15 min) on ${availableParallelism()} cores`);
