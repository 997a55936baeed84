import { join, resolve } from 'node:path';
import { formatTable } from '../core/index.js';
import type { BuildShardsResult } from './build-shards.js';
import type { ShardManifest } from './shard-index.js';

/** The table printed when `wit shards build` ends: where every pair went, then time per phase. */
export function formatBuildSummary(result: BuildShardsResult, outDir: string): string {
  const share = (count: number) => (result.pairs > 0 ? `${((100 * count) / result.pairs).toFixed(1)}%` : '-');
  const outcomes = [
    { outcome: 'train', pairs: result.train, share: share(result.train) },
    { outcome: 'val', pairs: result.val, share: share(result.val) },
    ...Object.entries(result.dropped).map(([reason, count]) => ({ outcome: `drop: ${reason}`, pairs: count, share: share(count) })),
  ];
  const phases = result.phaseSecs.map(([phase, secs]) => ({ phase, seconds: secs.toFixed(2) }));
  const splits = Object.entries(result.manifest.splits)
    .map(
      ([split, { samples, shards }]) => `${split} ${samples.toLocaleString('en-US')} samples in ${shards} shard${shards === 1 ? '' : 's'}`,
    )
    .join(', ');
  return [
    `${result.pairs.toLocaleString('en-US')} pairs, ${result.clusters.toLocaleString('en-US')} image clusters` +
      (result.evalImages > 0 ? `, decontaminated against ${result.evalImages} evaluation images` : ''),
    formatTable(['outcome', 'pairs', 'share'], outcomes),
    '',
    formatTable(['phase', 'seconds'], phases),
    '',
    `${splits || 'no samples kept'} -> ${outDir} (sizes.json, manifest.json, a .parquet and _stats.json per shard)`,
    ...openClipHandOff(result.manifest, outDir),
  ].join('\n');
}

/**
 * open_clip's training command for the folder: its webdataset loader takes
 * the brace patterns and needs the sample counts, which it cannot read from
 * the tars. Quoted for a POSIX shell.
 */
export function openClipCommand(manifest: ShardManifest, outDir: string): string | undefined {
  const { train, val } = manifest.splits;
  if (!train) return undefined;
  const data = (pattern: string) => `'${join(resolve(outDir), pattern).replaceAll("'", "'\\''")}'`;
  const flags = ['--dataset-type webdataset', `--train-data ${data(train.pattern)}`, `--train-num-samples ${train.samples}`];
  if (val) flags.push(`--val-data ${data(val.pattern)}`, `--val-num-samples ${val.samples}`);
  return `python -m open_clip_train.main ${flags.join(' ')}`;
}

function openClipHandOff(manifest: ShardManifest, outDir: string): string[] {
  const command = openClipCommand(manifest, outDir);
  if (!command) return [];
  const shards = manifest.splits.train!.shards;
  return [
    '',
    `Train with open_clip (${shards} even train shards: up to ${shards} loader workers in all, --workers x GPUs, see every sample once an epoch):`,
    `  ${command}`,
  ];
}
