import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What bench/peer/learn.py prints, plus the embeddings it wrote. */
export interface LearnPeerResult {
  steps: number;
  samplesSeen: number;
  /** The training loop's wall seconds (the embedding of the held-out set after it not included). */
  seconds: number;
  cpuSeconds: number;
  torch: string;
  threads: number;
  blasLibraries: string[];
  matmul512Gflops: number;
  /** L2-normalised embeddings of the held-out images, then of the prompts, each `embedDim` wide. */
  embeddings: Float32Array;
}

const peerScript = fileURLToPath(new URL('../../../bench/peer/learn.py', import.meta.url));

/** Trains the PyTorch reference on data written by `exportForPeer`; a string explains why it could not run. */
export function runLearnPeer(
  dataPath: string,
  schedule: { totalSteps: number; warmupSteps: number },
  threads: number,
  seed = 0,
): LearnPeerResult | string {
  const embeddingsPath = `${dataPath}.embeddings.bin`;
  const args = [
    peerScript,
    `--data=${dataPath}`,
    `--total-steps=${schedule.totalSteps}`,
    `--warmup-steps=${schedule.warmupSteps}`,
    `--threads=${threads}`,
    `--seed=${seed}`,
    `--embeddings=${embeddingsPath}`,
  ];
  const run = spawnSync('/usr/bin/python3', args, {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
  });
  if (run.error) return `/usr/bin/python3 could not start (${run.error.message})`;
  if (run.status !== 0) return `the PyTorch peer failed: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  const printed = JSON.parse(run.stdout.trim().split('\n').pop()!) as Omit<LearnPeerResult, 'embeddings'>;
  const bytes = readFileSync(embeddingsPath);
  return { ...printed, embeddings: new Float32Array(Uint8Array.from(bytes).buffer) };
}
