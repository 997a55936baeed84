import type { Partition } from '../../db/index.js';

/** A partition and where it came from, for the line that says which share this run takes. */
export interface ResolvedPartition {
  partition: Partition;
  /** `--partition i/N`, `Slurm job array` or `Kubernetes indexed Job`. */
  from: string;
}

/**
 * `--partition`: `i/N` (1-based, as people count machines), or `auto`: the
 * share of the scheduler running this, a Slurm job array (SLURM_ARRAY_TASK_ID
 * with SLURM_ARRAY_TASK_MIN/MAX or SLURM_ARRAY_TASK_COUNT) or a Kubernetes
 * indexed Job (JOB_COMPLETION_INDEX, with `--partitions N`). A string is the
 * problem, naming the flag or variable.
 */
export function resolvePartition(
  text: string,
  partitions: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedPartition | string {
  if (text.trim() !== 'auto') {
    const match = /^(\d+)\/(\d+)$/.exec(text.trim());
    const [i, n] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
    if (!match || i < 1 || i > n) return `--partition must be i/N with 1 <= i <= N (e.g. 2/8), or auto; got ${text}`;
    return { partition: { index: i - 1, count: n }, from: '--partition' };
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) return slurmPartition(env);
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const index = wholeNumber(env.JOB_COMPLETION_INDEX);
    if (index === undefined) return `JOB_COMPLETION_INDEX must be a whole number; got ${env.JOB_COMPLETION_INDEX}`;
    if (partitions === undefined) return "--partition auto in a Kubernetes indexed Job needs --partitions N (the Job's completions).";
    if (index >= partitions) return `JOB_COMPLETION_INDEX ${index} is not below --partitions ${partitions}`;
    return { partition: { index, count: partitions }, from: 'Kubernetes indexed Job' };
  }
  return (
    '--partition auto found no scheduler: set SLURM_ARRAY_TASK_ID (a Slurm job array, `sbatch --array=0-N`) or ' +
    'JOB_COMPLETION_INDEX with --partitions N (a Kubernetes indexed Job), or give --partition i/N.'
  );
}

function slurmPartition(env: NodeJS.ProcessEnv): ResolvedPartition | string {
  const id = wholeNumber(env.SLURM_ARRAY_TASK_ID);
  const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : wholeNumber(env.SLURM_ARRAY_TASK_MIN);
  const max = env.SLURM_ARRAY_TASK_MAX === undefined ? undefined : wholeNumber(env.SLURM_ARRAY_TASK_MAX);
  const count = max !== undefined && min !== undefined ? max - min + 1 : wholeNumber(env.SLURM_ARRAY_TASK_COUNT ?? '');
  if (id === undefined || min === undefined || count === undefined || count < 1) {
    return 'A Slurm job array needs whole numbers in SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_MIN/MAX (or SLURM_ARRAY_TASK_COUNT).';
  }
  const index = id - min;
  if (index < 0 || index >= count)
    return `SLURM_ARRAY_TASK_ID ${id} is outside the array (${min}..${min + count - 1}); use a dense array such as --array=0-${count - 1}.`;
  return { partition: { index, count }, from: 'Slurm job array' };
}

function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : undefined;
}
