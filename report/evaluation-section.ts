import type {
  ConfusionFile,
  LinearProbeRecord,
  RetrievalExample,
  RetrievalExamplesFile,
  RetrievalRecord,
  ZeroShotExample,
  ZeroShotRecord,
} from '../eval/index.js';
import { escapeHtml, exampleRow, factTable, figureRow, missing, percent, type ExampleFigure, type Section } from './html.js';
import { latestEval, type RunFiles } from './run-files.js';
import { mostConfused } from './confused-classes.js';
import { barChart, groupedBarChart, heatmap, rankChart } from './svg-charts.js';

/** Classes in the confusion matrix at most: beyond about 20 its labels cannot be read. */
const confusionClasses = 20;
/** Classes named in the lists under the per-class chart. */
const namedClasses = 5;

/** Data: URIs of the example images: zero-shot ones by path, retrieval ones by sample name. */
export interface EvaluationImages {
  zeroShot: ReadonlyMap<string, string>;
  retrieval: ReadonlyMap<string, string>;
}

/**
 * Zero-shot accuracy, per-class chart, confusion matrix and examples right and
 * wrong; retrieval recalls and captions with their best images; linear probe
 * vs zero-shot. Latest record of each kind.
 */
export function evaluationSection(run: RunFiles, images: EvaluationImages): Section {
  const zeroShot = latestEval(run, 'zeroshot');
  const retrieval = latestEval(run, 'retrieval');
  const probe = latestEval(run, 'linear-probe');
  const parts = [
    '<h3>Zero-shot classification</h3>',
    zeroShot
      ? zeroShotPart(zeroShot, run, images.zeroShot)
      : missing('zero-shot evaluation', 'run `wit eval zeroshot --run RUN --images DIR` (one sub-folder per class).'),
    '<h3>Retrieval</h3>',
    retrieval
      ? retrievalPart(retrieval, run, images.retrieval)
      : missing('retrieval evaluation', 'run `wit eval retrieval --run RUN --shards DIR`.'),
    '<h3>Linear probe vs zero-shot</h3>',
    probe ? probePart(probe) : missing('linear-probe evaluation', 'run `wit eval linear-probe --run RUN --images DIR`.'),
  ];
  return { id: 'evaluation', title: 'Evaluation', body: parts.join('\n') };
}

function zeroShotPart(record: ZeroShotRecord, run: RunFiles, thumbnails: ReadonlyMap<string, string>): string {
  const f = record.figures;
  const facts = factTable([
    ['images, classes', `${f.images.toLocaleString('en-US')} images, ${f.classes} classes (chance ${percent(1 / Math.max(1, f.classes))})`],
    ['top-1 accuracy', percent(f.top1)],
    ['top-5 accuracy', percent(f.top5)],
    ['mean per-class accuracy', percent(f.meanPerClassAccuracy)],
    ['data', record.data],
  ]);
  const perClass = [...f.perClass]
    .filter((c) => c.accuracy !== null)
    .sort((a, b) => b.accuracy! - a.accuracy! || a.name.localeCompare(b.name))
    .map((c) => ({ label: c.name, value: c.accuracy!, note: `${percent(c.accuracy!)} of ${c.images}` }));
  const bars = rankChart({
    name: 'zeroshot-per-class',
    title: 'Zero-shot accuracy per class, sorted',
    bars: perClass,
    yLabel: 'accuracy',
    yRange: [0, 1],
    format: percent,
  });
  const confusion = run.confusions.get(record.files.confusion);
  const matrix = confusion
    ? confusionPart(confusion.classNames, confusion.matrix)
    : missing('confusion matrix', `${record.files.confusion} is not in the run folder.`);
  const unknown =
    f.classesWithoutKnownWords.length > 0
      ? `<p>Classes with no word in the vocabulary: ${escapeHtml(f.classesWithoutKnownWords.join(', '))}.</p>`
      : '';
  return facts + unknown + figureRow(bars, matrix) + classLists(perClass) + (confusion ? zeroShotExamplesPart(confusion, thumbnails) : '');
}

/** The images classified right and wrong, each with its true class and the best three predictions. */
function zeroShotExamplesPart(confusion: ConfusionFile, thumbnails: ReadonlyMap<string, string>): string {
  const examples = confusion.examples ?? [];
  if (examples.length === 0) return '';
  const name = (c: number) => confusion.classNames[c] ?? `class ${c}`;
  const figure = (e: ZeroShotExample) => ({
    ...(thumbnails.has(e.path) ? { thumbnail: thumbnails.get(e.path)! } : {}),
    caption: `true: ${name(e.trueClass)}`,
    detail: e.top.map(([c, score]) => `${name(c)} ${score.toFixed(2)}`).join(' · '),
  });
  const right = examples.filter((e) => e.top[0]?.[0] === e.trueClass);
  const wrong = examples.filter((e) => e.top[0]?.[0] !== e.trueClass);
  const parts = [];
  if (right.length > 0) parts.push('<h4>Right (most confident first)</h4>', exampleRow(right.map(figure), 'zeroshot-right'));
  if (wrong.length > 0) parts.push('<h4>Mistakes (most confident first)</h4>', exampleRow(wrong.map(figure), 'zeroshot-wrong'));
  return parts.join('');
}

function confusionPart(classNames: string[], full: number[][]): string {
  const view = mostConfused(classNames, full, confusionClasses);
  const rowTotals = view.labels.map((label) => full[classNames.indexOf(label)]!.reduce((a, b) => a + b, 0));
  const title =
    view.classes > view.labels.length
      ? `Zero-shot confusion: the ${view.labels.length} most confused of ${view.classes} classes`
      : 'Zero-shot confusion matrix';
  return heatmap({
    name: 'confusion',
    title,
    labels: view.labels,
    matrix: view.matrix,
    rowAxis: 'true class',
    columnAxis: 'predicted',
    rowTotals,
  });
}

/** The best and worst classes by name, and the classes never right in one line, not one bar each. */
function classLists(perClass: ReadonlyArray<{ label: string; value: number; note: string }>): string {
  if (perClass.length === 0) return '';
  const named = (list: ReadonlyArray<{ label: string; note: string }>) => escapeHtml(list.map((c) => `${c.label} (${c.note})`).join(', '));
  const zero = perClass.filter((c) => c.value === 0);
  const rest = perClass.filter((c) => c.value > 0);
  const items = [`<li>best: ${named(rest.slice(0, namedClasses))}</li>`];
  if (rest.length > namedClasses) items.push(`<li>worst above 0%: ${named(rest.slice(-namedClasses).reverse())}</li>`);
  if (zero.length > 0) items.push(`<li>${zero.length} classes at 0%: ${escapeHtml(zero.map((c) => c.label).join(', '))}</li>`);
  return `<ul class="classes">${items.join('')}</ul>`;
}

function retrievalPart(record: RetrievalRecord, run: RunFiles, thumbnails: ReadonlyMap<string, string>): string {
  const f = record.figures;
  const facts = factTable([
    ['pairs ranked', `${f.pairs.toLocaleString('en-US')} (${f.split} split, chance R@1 ${percent(1 / Math.max(1, f.pairs))})`],
  ]);
  const chart = groupedBarChart({
    name: 'retrieval',
    title: `Retrieval recall on ${f.split}`,
    groups: f.recall.map((r) => ({ label: `R@${r.k}`, values: [r.imageToText, r.textToImage] })),
    seriesNames: ['image → text', 'text → image'],
    yLabel: 'recall',
    yRange: [0, 1],
    format: percent,
  });
  const examples = record.files && run.retrievalExamples.get(record.files.examples);
  return facts + figureRow(chart) + (examples ? retrievalExamplesPart(examples, record.figures.pairs, thumbnails) : '');
}

/** Captions spread over the split, each with the images it ranks first; its own image outlined, and added after them when it ranks lower. */
function retrievalExamplesPart(file: RetrievalExamplesFile, pairs: number, thumbnails: ReadonlyMap<string, string>): string {
  if (file.examples.length === 0) return '';
  const topCount = Math.max(...file.examples.map((e) => e.top.length));
  const parts = [
    `<h4>Text → image: captions spread over the ${escapeHtml(file.split)} split and the ${topCount} images each ranks first (its own image outlined)</h4>`,
  ];
  if (thumbnails.size === 0)
    parts.push(
      missing(
        'images of these examples',
        `${file.shardsDir} does not hold the samples the eval ranked (moved or rebuilt since); pass --shards with the folder it ranked.`,
      ),
    );
  for (const example of file.examples) {
    parts.push(
      `<p class="query">“${escapeHtml(example.caption)}” <span>own image ranked #${(example.rank + 1).toLocaleString('en-US')} of ${pairs.toLocaleString('en-US')}</span></p>`,
    );
    parts.push(exampleRow(rankedFigures(example, thumbnails), 'retrieval'));
  }
  return parts.join('');
}

function rankedFigures(example: RetrievalExample, thumbnails: ReadonlyMap<string, string>): ExampleFigure[] {
  const figure = (sample: string, caption: string, detail: string): ExampleFigure => ({
    ...(thumbnails.has(sample) ? { thumbnail: thumbnails.get(sample)! } : {}),
    caption,
    detail,
    ...(sample === example.sample ? { marked: true } : {}),
  });
  const figures = example.top.map((image, i) => figure(image.sample, image.caption, `#${i + 1} · ${image.score.toFixed(2)}`));
  if (example.rank >= example.top.length)
    figures.push(figure(example.sample, example.caption, `own image: #${(example.rank + 1).toLocaleString('en-US')}`));
  return figures;
}

function probePart(record: LinearProbeRecord): string {
  const f = record.figures;
  const facts = factTable([
    ['train / test images', `${f.trainImages} / ${f.testImages} (${f.classes} classes)`],
    ['chosen L2', String(f.l2)],
  ]);
  const chart = barChart({
    name: 'linear-probe',
    title: `Top-1 on the same ${f.testImages} test images`,
    bars: [
      { label: 'zero-shot', value: f.zeroShotTop1 },
      { label: 'linear probe', value: f.linearProbeTop1 },
      { label: 'chance', value: 1 / Math.max(1, f.classes) },
    ],
    maxValue: 1,
    format: percent,
    labelWidth: 110,
  });
  return facts + figureRow(chart);
}
