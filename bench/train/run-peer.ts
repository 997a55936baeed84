import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What bench/peer/train_step.py prints. */
export interface PeerResult {
  samplesPerSec: number;
  secsPerStep: number;
  /** CPU time of all its threads per step: less distorted than wall time on a busy machine. */
  cpuSecsPerStep: number;
  torch: string;
  threads: number;
  blasLibraries: string[];
  matmul512Gflops: number;
}

const peerScript = fileURLToPath(new URL('../../../bench/peer/train_step.py', import.meta.url));
const python = '/usr/bin/python3';

/** Runs the PyTorch reference step; a string explains why it could not run. */
export function runPeer(options: {
  batch: number;
  imageSize: number;
  vocabSize: number;
  embedDim: number;
  wordsPerCaption: number;
  steps: number;
  threads: number;
}): PeerResult | string {
  const args = [
    peerScript,
    `--batch=${options.batch}`,
    `--image-size=${options.imageSize}`,
    `--vocab=${options.vocabSize}`,
    `--embed-dim=${options.embedDim}`,
    `--words-per-caption=${options.wordsPerCaption}`,
    `--steps=${options.steps}`,
    `--threads=${options.threads}`,
  ];
  const run = spawnSync(python, args, {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(options.threads), OPENBLAS_NUM_THREADS: String(options.threads) },
  });
  if (run.error) return `${python} could not start (${run.error.message})`;
  if (run.status !== 0) {
    const why = /No module named 'torch'/.test(run.stderr)
      ? 'python3-torch is not installed (apt-get install python3-torch libopenblas0-pthread)'
      : run.stderr.trim().split('\n').slice(-3).join(' | ');
    return `the PyTorch peer failed: ${why}`;
  }
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as PeerResult;
}
