import { formatTable } from '../db/index.js';
import type { BuildShardsResult } from './build-shards.js';

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
    .map(([split, { samples, shards }]) => `${split} ${samples.toLocaleString('en-US')} samples in ${shards} shard${shards === 1 ? '' : 's'}`)
    .join(', ');
  return [
    `${result.pairs.toLocaleString('en-US')} pairs, ${result.clusters.toLocaleString('en-US')} image clusters` +
      (result.evalImages > 0 ? `, decontaminated against ${result.evalImages} evaluation images` : ''),
    formatTable(['outcome', 'pairs', 'share'], outcomes),
    '',
    formatTable(['phase', 'seconds'], phases),
    '',
    `${splits || 'no samples kept'} -> ${outDir} (sizes.json, manifest.json)`,
  ].join('\n');
}
