import { describe, expect, it } from 'vitest';
import { resolvePartition } from '../bin/commands/partition.js';

describe('--partition (i/N and auto)', () => {
  it('reads i/N as people count machines, 1-based', () => {
    expect(resolvePartition('2/8', undefined, {})).toEqual({ partition: { index: 1, count: 8 }, from: '--partition' });
    expect(resolvePartition('9/8', undefined, {})).toMatch(/--partition must be i\/N/);
    expect(resolvePartition('0/8', undefined, {})).toMatch(/--partition must be i\/N/);
  });

  it('takes a Slurm array share from MIN/MAX or from COUNT, and refuses a task outside the array', () => {
    const slurm = (env: Record<string, string>) => resolvePartition('auto', undefined, env);
    expect(slurm({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '8' })).toEqual({
      partition: { index: 4, count: 8 },
      from: 'Slurm job array',
    });
    expect(slurm({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({
      partition: { index: 3, count: 4 },
      from: 'Slurm job array',
    });
    expect(slurm({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4' })).toMatch(/outside the array/);
    expect(slurm({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '4' })).toMatch(/whole numbers/);
  });

  it('takes a Kubernetes indexed Job share with --partitions, and says what to set without a scheduler', () => {
    expect(resolvePartition('auto', 4, { JOB_COMPLETION_INDEX: '3' })).toEqual({
      partition: { index: 3, count: 4 },
      from: 'Kubernetes indexed Job',
    });
    expect(resolvePartition('auto', 4, { JOB_COMPLETION_INDEX: '4' })).toMatch(/not below --partitions 4/);
    expect(resolvePartition('auto', undefined, { JOB_COMPLETION_INDEX: '0' })).toMatch(/needs --partitions N/);
    expect(resolvePartition('auto', undefined, {})).toMatch(/found no scheduler: set SLURM_ARRAY_TASK_ID .* JOB_COMPLETION_INDEX/);
  });
});
