import { formatDuration } from '../core/index.js';
import type { DemoResult } from './run-demo.js';

/** The demo's last words: where everything is, and the figures worth quoting. */
export function formatDemoSummary(result: DemoResult): string {
  const f = result.figures;
  const pct = (value: number) => `${(100 * value).toFixed(1)}%`;
  const n = (value: number) => value.toLocaleString('en-US');
  const recall = Object.entries(f.retrievalRecallAt)
    .map(([k, r]) => `R@${k} ${pct(r.imageToText)} / ${pct(r.textToImage)}`)
    .join(', ');
  return [
    '',
    `wit demo done in ${formatDuration(f.elapsedSecs)}`,
    '',
    `  db        ${result.dbPath}`,
    `  images    ${result.imagesDir}`,
    `  shards    ${result.shardsDir}`,
    `  run       ${result.runDir}`,
    `  eval set  ${result.evalImagesDir}`,
    `  report    ${result.reportPath}`,
    '',
    `  crawl     ${n(f.queries)} queries -> ${n(f.pairs)} pairs; ${n(f.imagesOk)} images stored, ${n(f.imagesFailed)} failed`,
    `  shards    ${n(f.trainSamples)} train, ${n(f.valSamples)} val samples`,
    `  train     ${n(f.trainSteps)} steps, final loss ${f.finalLoss === undefined ? 'n/a' : f.finalLoss.toFixed(3)}`,
    `  zero-shot top-1 ${pct(f.zeroShotTop1)} on ${f.zeroShotClasses} held-out classes (chance ${pct(1 / Math.max(1, f.zeroShotClasses))})`,
    `  linear probe top-1 ${f.linearProbeTop1 === undefined ? 'n/a' : pct(f.linearProbeTop1)}`,
    `  retrieval (val, image->text / text->image): ${recall || 'n/a'}`,
    '',
    `Open the report: ${result.reportPath}`,
  ].join('\n');
}
