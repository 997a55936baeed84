import type { ClassifyResult } from './classify.js';
import type { SkippedImage } from './embed-images.js';
import type { LinearProbeRecord, RetrievalRecord, ZeroShotRecord } from './evals-log.js';

/** The figures of a zero-shot eval as the terminal shows them. */
export function formatZeroShot(record: ZeroShotRecord): string {
  const { figures } = record;
  const width = Math.max(5, ...figures.perClass.map((c) => c.name.length));
  const lines = [
    `zero-shot on ${record.data}: ${figures.images} images, ${figures.classes} classes, ${plural(figures.templates, 'template')}`,
    `top-1 ${percent(figures.top1)}   top-5 ${percent(figures.top5)}   mean per-class ${percent(figures.meanPerClassAccuracy)}   (chance top-1 ${percent(1 / figures.classes)})`,
    '',
    `${'class'.padEnd(width)}  accuracy  images`,
    ...figures.perClass.map(
      (c) => `${c.name.padEnd(width)}  ${(c.accuracy === null ? '-' : percent(c.accuracy)).padStart(8)}  ${String(c.images).padStart(6)}`,
    ),
    '',
    `confusion matrix: ${record.files.confusion} (in the run folder)`,
  ];
  return lines.join('\n');
}

export function formatRetrieval(record: RetrievalRecord): string {
  const { figures } = record;
  const header = `${''.padEnd(10)}${figures.recall.map((r) => `R@${r.k}`.padStart(8)).join('')}`;
  return [
    `retrieval on ${record.data} (${figures.split}): ${figures.pairs} pairs, each ranked against all ${figures.pairs}`,
    header,
    `image→text${figures.recall.map((r) => percent(r.imageToText).padStart(8)).join('')}`,
    `text→image${figures.recall.map((r) => percent(r.textToImage).padStart(8)).join('')}`,
  ].join('\n');
}

export function formatLinearProbe(record: LinearProbeRecord): string {
  const { figures } = record;
  const sweep = figures.sweep.map((s) => `${s.l2.toExponential(0)} ${percent(s.validationAccuracy)}`).join(' | ');
  return [
    `linear probe on ${record.data}: ${figures.classes} classes, ${figures.trainImages} train / ${figures.testImages} test images (seed ${figures.seed})`,
    `λ sweep (validation top-1): ${sweep}; chosen λ = ${figures.l2.toExponential(0)}`,
    `test top-1: linear probe ${percent(figures.linearProbeTop1)}   zero-shot ${percent(figures.zeroShotTop1)}   (chance ${percent(1 / figures.classes)})`,
  ].join('\n');
}

/** Each image, then its best labels with probabilities, one per line. */
export function formatClassification(result: ClassifyResult): string {
  return result.results
    .map(({ image, labels }) =>
      [image, ...labels.map(({ label, probability }) => `  ${percent(probability).padStart(6)}  ${label}`)].join('\n'),
    )
    .join('\n');
}

/** The inputs left out because they did not decode, at most `limit` listed. */
export function formatSkipped(skipped: readonly SkippedImage[], limit = 20): string {
  const lines = [`skipped ${plural(skipped.length, 'image')} that did not decode:`];
  for (const { name, reason } of skipped.slice(0, limit)) lines.push(`  ${name}: ${reason}`);
  if (skipped.length > limit) lines.push(`  … and ${skipped.length - limit} more`);
  return lines.join('\n');
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
