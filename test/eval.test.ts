import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WitError } from '../core/index.js';
import { train } from '../train/index.js';
import {
  evaluateLinearProbe,
  evaluateRetrieval,
  evaluateZeroShot,
  type ConfusionFile,
  type ImageLabels,
  type RetrievalExamplesFile,
} from '../eval/index.js';
import { readEvalRecords } from '../eval/evals-log.js';
import { openEvalModel } from '../eval/open-eval-model.js';
import { buildZeroShotClassifier } from '../eval/zero-shot-classifier.js';
import { evalSubgroups, openmojiEvalSet, type OpenmojiEvalSet } from './fixtures/eval-openmoji.js';
import { runWit, runWitJson } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-eval-');
const runDir = join(dir, 'run');
const chance = 1 / evalSubgroups.length;
let set: OpenmojiEvalSet;

// One small model for the whole file: trained briefly on openmoji shards with a fixed seed.
beforeAll(async () => {
  set = await openmojiEvalSet();
  await train({
    shardsDir: set.shardsDir,
    outDir: runDir,
    steps: 150,
    batchSize: 32,
    imageSize: 32,
    embedDim: 64,
    convChannels: [16, 32, 64],
    lr: 2e-3,
    weightDecay: 0.1,
    seed: 1,
    log: () => undefined,
  });
}, 240_000);

describe('zero-shot', () => {
  it('classifies held-out openmoji images by subgroup well above chance and records the figures', async () => {
    const { record, confusion, skipped } = await evaluateZeroShot({ runDir, source: { imagesDir: set.imagesDir } });
    expect(skipped).toEqual([]);
    const { figures } = record;
    expect(figures.images).toBe(set.heldOutCount);
    expect(figures.classes).toBe(evalSubgroups.length);
    expect(figures.perClass.map((c) => c.name)).toContain('animal mammal');
    expect(figures.top1).toBeGreaterThan(chance + 0.15);
    expect(figures.top5).toBeGreaterThanOrEqual(figures.top1);
    expect(figures.perClass.every((c) => c.images === 6)).toBe(true);

    const saved = readEvalRecords(runDir).at(-1)!;
    expect(saved).toEqual(record);
    expect(saved.command).toBe(`wit eval zeroshot --run ${runDir} --images ${set.imagesDir}`);
    const file = JSON.parse(readFileSync(join(runDir, record.files.confusion), 'utf8')) as ConfusionFile;
    expect(file).toEqual(confusion);
    expect(file.matrix.flat().reduce((a, b) => a + b, 0)).toBe(set.heldOutCount);
    const correct = file.matrix.reduce((sum, row, c) => sum + row[c]!, 0);
    expect(correct / set.heldOutCount).toBeCloseTo(figures.top1, 10);
    // Examples for the report: the right ones and the mistakes, each with its true class and best three classes.
    const examples = file.examples!;
    const right = examples.filter((e) => e.top[0]![0] === e.trueClass);
    expect(right.length).toBe(Math.min(8, correct));
    expect(examples.length - right.length).toBe(Math.min(8, set.heldOutCount - correct));
    for (const example of examples) {
      expect(existsSync(example.path), example.path).toBe(true);
      expect(example.top).toHaveLength(3);
      expect(example.top[0]![1]).toBeGreaterThanOrEqual(example.top[1]![1]);
    }
  });

  it('ensembles templates exactly as the manual average of normalised prompt embeddings', async () => {
    const model = await openEvalModel(runDir);
    try {
      const names = ['animal mammal', 'heart'];
      const templates = ['a photo of a {}.', 'an emoji of a {}', '{} icon'];
      const classifier = await buildZeroShotClassifier(model, names, templates);
      for (const [c, name] of names.entries()) {
        const manual = new Float64Array(classifier.dim);
        for (const template of templates) {
          const embedding = await model.embedTexts([template.replace('{}', name)]);
          const norm = Math.hypot(...embedding);
          embedding.forEach((value, k) => (manual[k]! += value / norm / templates.length));
        }
        const norm = Math.hypot(...manual);
        const row = classifier.classEmbeddings.subarray(c * classifier.dim, (c + 1) * classifier.dim);
        row.forEach((value, k) => expect(value).toBeCloseTo(manual[k]! / norm, 5));
      }
    } finally {
      await model.dispose();
    }
  });

  it('lists and skips an image that does not decode, and warns of class names with no vocabulary word', async () => {
    const images = join(dir, 'with-broken');
    cpSync(set.imagesDir, images, { recursive: true });
    writeFileSync(join(images, 'heart', 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\n this is not a png'));
    const classNames = join(dir, 'classnames.txt');
    const folders = readdirSync(images).sort();
    writeFileSync(classNames, folders.map((folder, i) => (i === 0 ? 'zzyzx qwxj' : folder.replaceAll('_', ' '))).join('\n'));
    const warnings: string[] = [];
    const { record, skipped } = await evaluateZeroShot({
      runDir,
      source: { imagesDir: images },
      classNamesFile: classNames,
      onWarning: (m) => warnings.push(m),
    });
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.name).toBe(join(images, 'heart', 'broken.png'));
    expect(record.skipped).toBe(1);
    expect(record.figures.images).toBe(set.heldOutCount);
    expect(record.figures.classesWithoutKnownWords).toEqual(['zzyzx qwxj']);
    expect(warnings.join('\n')).toMatch(/1 of 8 class names have no word in the model's vocabulary: "zzyzx qwxj"/);
  });
});

describe('linear probe and retrieval', () => {
  it('fits a linear probe that beats chance, beside zero-shot on the same test images', async () => {
    const { record } = await evaluateLinearProbe({ runDir, source: { imagesDir: set.probeImagesDir }, seed: 3 });
    const { figures } = record;
    expect(figures.testImages).toBeGreaterThan(80);
    expect(figures.trainImages + figures.testImages).toBe(
      readdirSync(set.probeImagesDir).flatMap((d) => readdirSync(join(set.probeImagesDir, d))).length,
    );
    expect(figures.linearProbeTop1).toBeGreaterThan(chance + 0.15);
    expect(figures.zeroShotTop1).toBeGreaterThan(chance);
    expect(figures.sweep.map((s) => s.l2)).toContain(figures.l2);
    expect(readEvalRecords(runDir).at(-1)).toEqual(record);
  });

  it('ranks every val pair against the whole split, better than chance', async () => {
    const { record } = await evaluateRetrieval({ runDir, shardsDir: set.shardsDir });
    const { pairs, recall } = record.figures;
    expect(pairs).toBe(24);
    expect(recall.map((r) => r.k)).toEqual([1, 5, 10]);
    for (const r of recall) expect(r.imageToText).toBeGreaterThanOrEqual(r.k === 1 ? 0 : recall[0]!.imageToText);
    expect(recall[1]!.imageToText).toBeGreaterThan(5 / pairs + 0.1);
    expect(recall[1]!.textToImage).toBeGreaterThan(5 / pairs + 0.1);
    expect(readEvalRecords(runDir).at(-1)).toEqual(record);
    // The report's examples: 6 captions of the split, each with its 5 best images, named as they are in the shards.
    const examples = JSON.parse(readFileSync(join(runDir, record.files!.examples), 'utf8')) as RetrievalExamplesFile;
    expect(examples.shardsDir).toBe(resolve(set.shardsDir));
    expect(examples.examples.map((e) => e.top.length)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(
      examples.examples.flatMap((e) => [e.sample, ...e.top.map((t) => t.sample)]).every((name) => name.startsWith('val-000000.tar:')),
    ).toBe(true);
  });
});

describe('wit classify and wit eval (CLI)', () => {
  const heartImage = () => join(set.imagesDir, 'heart', readdirSync(join(set.imagesDir, 'heart'))[0]!);
  const clockImage = () => join(set.imagesDir, 'time', readdirSync(join(set.imagesDir, 'time'))[0]!);

  it('prints each image with its top labels and probabilities, and the same as JSON', () => {
    const labels = 'animal mammal,heart,time,clothing,sky weather,country flag';
    const text = runWit(['classify', '--run', runDir, '--labels', labels, heartImage(), clockImage()]);
    expect(text.stderr).not.toMatch(/unexpected/);
    expect(text.status).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 * 6);
    expect(lines[0]).toBe(heartImage());
    expect(lines[6]).toBe(clockImage());
    for (const line of [...lines.slice(1, 6), ...lines.slice(7)])
      expect(line).toMatch(/^ {2}[ \d]{2}\d\.\d% {2}(animal mammal|heart|time|clothing|sky weather|country flag)$/);

    const results = runWitJson<ImageLabels[]>(['classify', '--run', runDir, '--labels', labels, '--top', '6', '--json', heartImage()]);
    expect(results).toHaveLength(1);
    expect(results[0]!.image).toBe(heartImage());
    const probabilities = results[0]!.labels.map((l) => l.probability);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(results[0]!.labels.map((l) => l.label).sort()).toEqual(labels.split(',').sort());
  });

  it('runs wit eval zeroshot from a CSV list and records the command line', () => {
    const list = join(dir, 'list.csv');
    const rows = readdirSync(set.imagesDir).flatMap((folder) =>
      readdirSync(join(set.imagesDir, folder)).map((file) => `${join(set.imagesDir, folder, file)},${folder}`),
    );
    writeFileSync(list, `path,label\n${rows.join('\n')}\n`);
    const result = runWit(['eval', 'zeroshot', '--run', runDir, '--list', list]);
    expect(result.stderr).not.toMatch(/unexpected/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/zero-shot on .*list\.csv: 48 images, 8 classes, 1 template/);
    expect(result.stdout).toMatch(/top-1 \d+\.\d%\s+top-5 \d+\.\d%/);
    expect(result.stdout).toMatch(/^animal mammal\s+\d+\.\d%\s+6$/m);
    const record = readEvalRecords(runDir).at(-1)!;
    expect(record.command).toBe(`wit eval zeroshot --run ${runDir} --list ${list}`);
    expect(record.data).toBe(list);
  });

  it('refuses an empty class folder, a run without weights and a swapped vocabulary, naming them', async () => {
    const images = join(dir, 'with-empty');
    cpSync(set.imagesDir, images, { recursive: true });
    mkdirSync(join(images, 'empty_class'));
    await expect(evaluateZeroShot({ runDir, source: { imagesDir: images } })).rejects.toThrow(
      `class folder ${join(images, 'empty_class')} holds no images`,
    );

    const noWeights = join(dir, 'no-weights');
    mkdirSync(noWeights);
    cpSync(join(runDir, 'config.json'), join(noWeights, 'config.json'));
    cpSync(join(runDir, 'vocab.json'), join(noWeights, 'vocab.json'));
    await expect(evaluateLinearProbe({ runDir: noWeights, source: { imagesDir: set.imagesDir } })).rejects.toThrow(WitError);
    await expect(evaluateRetrieval({ runDir: noWeights, shardsDir: set.shardsDir })).rejects.toThrow(/holds no weights yet/);

    const swapped = join(dir, 'swapped-vocab');
    cpSync(runDir, swapped, { recursive: true });
    const vocab = JSON.parse(readFileSync(join(swapped, 'vocab.json'), 'utf8')) as { words: string[] };
    [vocab.words[0], vocab.words[1]] = [vocab.words[1]!, vocab.words[0]!];
    writeFileSync(join(swapped, 'vocab.json'), JSON.stringify(vocab));
    const evalsBefore = readFileSync(join(swapped, 'evals.jsonl'), 'utf8');
    const mismatch = runWit(['eval', 'zeroshot', '--run', swapped, '--images', set.imagesDir]);
    expect(mismatch.status).toBe(1);
    expect(mismatch.stderr).toMatch(/^wit: .*vocab\.json is not the vocabulary the checkpoint/);
    expect(mismatch.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(join(swapped, 'evals.jsonl'), 'utf8')).toBe(evalsBefore);
  });
});
