import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What bench/peer/learn.py prints. */
export interface LearnPeerResult {
  top1: number;
  top5: number;
  steps: number;
  samplesSeen: number;
  /** The training loop's wall seconds (the zero-shot evaluation after it not included). */
  seconds: number;
  cpuSeconds: number;
  torch: string;
  threads: number;
  blasLibraries: string[];
  matmul512Gflops: number;
}

const peerScript = fileURLToPath(new URL('../../../bench/peer/learn.py', import.meta.url));

/** Trains the PyTorch reference on data written by `exportForPeer`; a string explains why it could not run. */
export function runLearnPeer(dataPath: string, schedule: { totalSteps: number; warmupSteps: number }, threads: number): LearnPeerResult | string {
  const run = spawnSync('/usr/bin/python3', [peerScript, `--data=${dataPath}`, `--total-steps=${schedule.totalSteps}`, `--warmup-steps=${schedule.warmupSteps}`, `--threads=${threads}`], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
  });
  if (run.error) return `/usr/bin/python3 could not start (${run.error.message})`;
  if (run.status !== 0) return `the PyTorch peer failed: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as LearnPeerResult;
}
