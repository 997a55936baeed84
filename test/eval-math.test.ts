import { beforeAll, describe, expect, it } from 'vitest';
import { classificationMetrics, classPrompts, ensembleClassEmbeddings, plainScoreRows, retrievalExamples } from '../eval/index.js';
import { fitLinearProbe } from '../eval/linear-probe-fit.js';
import { fitLogisticRegression, logisticScores } from '../eval/logistic-regression.js';
import { retrievalRecall } from '../eval/recall.js';
import { tensorScoreRows } from '../eval/tensor-scores.js';
import { softmaxRows } from '../eval/zero-shot-math.js';
import { selectBackend } from '../train/index.js';
import { seededRandom } from '../eval/seeded-split.js';

// The tensor scorer runs on the backend openRun would pick; the plain cpu one is enough here.
beforeAll(async () => {
  await selectBackend('cpu');
});

describe('retrieval recall', () => {
  it('equals the hand-computed value on a 4-pair case', () => {
    // Similarities (rows images, columns captions), worked by hand:
    //   I0: .80  0   1   -.6   true .8, one higher  -> rank 1
    //   I1: .60  1   0   -.8   true 1              -> rank 0
    //   I2: .96 .80 .60 -1     true .6, two higher -> rank 2
    //   I3: -.8  0  -1    .6   true .6             -> rank 0
    // Columns (caption -> images): T0 rank 1 (I2 .96 > .8), T1 0, T2 1 (I0 1 > .6), T3 0.
    const images = Float32Array.from([1, 0, 0, 1, 0.6, 0.8, -1, 0]);
    const texts = Float32Array.from([0.8, 0.6, 0, 1, 1, 0, -0.6, -0.8]);
    expect(retrievalRecall(images, texts, 4, { ks: [1, 2, 3] })).toEqual([
      { k: 1, imageToText: 0.5, textToImage: 0.5 },
      { k: 2, imageToText: 0.75, textToImage: 1 },
      { k: 3, imageToText: 1, textToImage: 1 },
    ]);
  });

  it('matches a brute-force ranking on random embeddings of an odd count (partial blocks)', () => {
    const random = seededRandom(7);
    const count = 37;
    const dim = 5;
    const images = Float32Array.from({ length: count * dim }, () => random() - 0.5);
    const texts = Float32Array.from({ length: count * dim }, () => random() - 0.5);
    const score = (i: number, j: number) => {
      let s = 0;
      for (let k = 0; k < dim; k++) s += images[i * dim + k]! * texts[j * dim + k]!;
      return Math.fround(s);
    };
    const ks = [1, 5, 10];
    const brute = ks.map((k) => {
      let i2t = 0;
      let t2i = 0;
      for (let i = 0; i < count; i++) {
        let rowRank = 0;
        let columnRank = 0;
        for (let j = 0; j < count; j++) {
          if (j !== i && score(i, j) > score(i, i)) rowRank++;
          if (j !== i && score(j, i) > score(i, i)) columnRank++;
        }
        if (rowRank < k) i2t++;
        if (columnRank < k) t2i++;
      }
      return { k, imageToText: i2t / count, textToImage: t2i / count };
    });
    expect(retrievalRecall(images, texts, count, { ks })).toEqual(brute);
    const tensor = tensorScoreRows(images, texts, count);
    expect(retrievalRecall(images, texts, count, { ks, scoreRows: tensor.scoreRows })).toEqual(brute);
    tensor.dispose();
  });

  it('scores the matrix in blocks that cover every row once', () => {
    const random = seededRandom(9);
    const count = 5;
    const images = Float32Array.from({ length: count * 3 }, () => random());
    const texts = Float32Array.from({ length: count * 3 }, () => random());
    const plain = plainScoreRows(images, texts, 3);
    const calls: Array<[number, number]> = [];
    retrievalRecall(images, texts, count, {
      scoreRows: (first, rows) => {
        calls.push([first, rows]);
        return plain(first, rows);
      },
    });
    expect(calls).toEqual([[0, 5]]);
    expect(Array.from(plain(1, 2))).toEqual(Array.from(plain(0, 5).subarray(5, 15)));
  });

  it('counts a duplicate caption as a tie that does not push the true pair down', () => {
    const images = Float32Array.from([1, 0, 0.8, 0.6, 0, 1]);
    const texts = Float32Array.from([0.6, 0.8, 0.6, 0.8, 0, 1]); // captions 0 and 1 are the same text
    const [r1] = retrievalRecall(images, texts, 3, { ks: [1] });
    expect(r1).toEqual({ k: 1, imageToText: 1, textToImage: 2 / 3 });
  });

  it('gives example captions spread over the split, their best images, and own-image ranks that agree with text→image recall', () => {
    const random = seededRandom(11);
    const count = 37;
    const dim = 5;
    const images = Float32Array.from({ length: count * dim }, () => random() - 0.5);
    const texts = Float32Array.from({ length: count * dim }, () => random() - 0.5);
    const pairs = {
      images,
      texts,
      samples: Array.from({ length: count }, (_, i) => `val-000000.tar:${i}`),
      captions: Array.from({ length: count }, (_, i) => `caption ${i}`),
    };
    expect(retrievalExamples(pairs).map((e) => e.caption)).toEqual([3, 9, 15, 21, 27, 33].map((i) => `caption ${i}`));
    const every = retrievalExamples(pairs, count);
    for (const e of every) {
      expect(e.top).toHaveLength(5);
      expect(e.top.map((t) => t.score)).toEqual([...e.top.map((t) => t.score)].sort((a, b) => b - a));
      expect(e.top.findIndex((t) => t.sample === e.sample)).toBe(e.rank < 5 ? e.rank : -1);
    }
    const recall = retrievalRecall(images, texts, count, { ks: [1, 5, 10] });
    expect(recall.map((r) => every.filter((e) => e.rank < r.k).length / count)).toEqual(recall.map((r) => r.textToImage));
  });

  it('ranks the own image first among exact duplicates, as recall does', () => {
    const images = Float32Array.from([0.6, 0.8, 0.6, 0.8, 1, 0]); // images 0 and 1 are the same picture
    const texts = Float32Array.from([1, 0, 0.6, 0.8, 0, 1]);
    const [second] = retrievalExamples({ images, texts, samples: ['a', 'b', 'c'], captions: ['x', 'y', 'z'] }, 3).slice(1);
    expect(second!.rank).toBe(0);
    expect(second!.top.map((t) => t.sample)).toEqual(['b', 'a', 'c']);
  });
});

describe('zero-shot math', () => {
  it('ensembles templates as CLIP does: normalise each prompt, average per class, re-normalise', () => {
    // 2 classes x 2 templates, dim 2, class-major; prompt vectors deliberately not unit length.
    const prompts = Float32Array.from([3, 4, 0, 2, -1, 0, 0, -5]);
    const classes = ensembleClassEmbeddings(prompts, 2, 2);
    // class 0: (0.6, 0.8) and (0, 1) -> mean (0.3, 0.9) -> /sqrt(0.9)
    const norm0 = Math.hypot(0.3, 0.9);
    // class 1: (-1, 0) and (0, -1) -> mean (-0.5, -0.5) -> (-1/sqrt2, -1/sqrt2)
    const expected = [0.3 / norm0, 0.9 / norm0, -Math.SQRT1_2, -Math.SQRT1_2];
    expected.forEach((value, i) => expect(classes[i]).toBeCloseTo(value, 6));
  });

  it('fills templates with the class name, class-major', () => {
    expect(classPrompts(['dog', 'red car'], ['a photo of a {}.', 'a {label} drawing'])).toEqual([
      'a photo of a dog.',
      'a dog drawing',
      'a photo of a red car.',
      'a red car drawing',
    ]);
    expect(classPrompts(['$&'], ['x {}'])).toEqual(['x $&']);
  });

  it('computes top-1, top-5, per-class accuracy and the confusion matrix', () => {
    // 3 images, 6 classes; rows are scores.
    const scores = Float32Array.from([
      0.9,
      0.1,
      0,
      0,
      0,
      0, // true 0, predicted 0
      0.5,
      0.4,
      0.3,
      0.2,
      0.1,
      0, // true 5: rank 5 -> not in top 5; predicted 0
      0.1,
      0.2,
      0.3,
      0.4,
      0.5,
      0.6, // true 1: rank 4 -> in top 5; predicted 5
    ]);
    const metrics = classificationMetrics(scores, [0, 5, 1], 6);
    expect(metrics.count).toBe(3);
    expect(metrics.top1).toBeCloseTo(1 / 3);
    expect(metrics.top5).toBeCloseTo(2 / 3);
    expect(metrics.perClassAccuracy).toEqual([1, 0, null, null, null, 0]);
    expect(metrics.meanPerClassAccuracy).toBeCloseTo(1 / 3);
    expect(metrics.confusion[0]).toEqual([1, 0, 0, 0, 0, 0]);
    expect(metrics.confusion[5]).toEqual([1, 0, 0, 0, 0, 0]);
    expect(metrics.confusion[1]).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('breaks score ties towards the lower class index, the same for top-1 and the confusion matrix', () => {
    const metrics = classificationMetrics(Float32Array.from([0.5, 0.5]), [1], 2);
    expect(metrics.top1).toBe(0);
    expect(metrics.confusion).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });

  it('turns temperature-scaled cosines into probabilities that sum to 1', () => {
    const probabilities = softmaxRows(Float32Array.from([0.2, 0.1, 0.2, 0.2]), 2, 100);
    expect(probabilities[0]! + probabilities[1]!).toBeCloseTo(1, 6);
    expect(probabilities[0]).toBeCloseTo(1 / (1 + Math.exp(-10)), 6);
    expect([probabilities[2], probabilities[3]]).toEqual([0.5, 0.5]);
  });
});

/** Gaussian clusters around `classCount` random unit centres, like embeddings of labelled images. */
function clusters(classCount: number, perClass: number, dim: number, spread: number, seed: number) {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: classCount }, () => Array.from({ length: dim }, gaussian));
  const features = new Float32Array(classCount * perClass * dim);
  const labels = new Int32Array(classCount * perClass);
  for (let i = 0; i < labels.length; i++) {
    const label = i % classCount;
    labels[i] = label;
    for (let k = 0; k < dim; k++) features[i * dim + k] = centres[label]![k]! / Math.sqrt(dim) + spread * gaussian();
  }
  return { features, labels, dim, classCount };
}

describe('logistic regression', () => {
  it('fits separable data exactly', () => {
    const data = clusters(3, 20, 4, 0.05, 1);
    const model = fitLogisticRegression(data, { l2: 1e-3 });
    const predicted = classificationMetrics(logisticScores(model, data.features), data.labels, 3);
    expect(predicted.top1).toBe(1);
  });

  it('is deterministic and a stronger penalty gives smaller weights', () => {
    const data = clusters(4, 15, 6, 0.3, 2);
    const a = fitLogisticRegression(data, { l2: 1e-4 });
    const b = fitLogisticRegression(data, { l2: 1e-4 });
    expect(a.parameters).toEqual(b.parameters);
    const strong = fitLogisticRegression(data, { l2: 1 });
    const norm = (p: Float64Array) => Math.hypot(...p.subarray(0, 4 * 6));
    expect(norm(strong.parameters)).toBeLessThan(norm(a.parameters) / 3);
  });

  it('picks λ on a validation slice and beats chance on held-out points', () => {
    const train = clusters(5, 40, 16, 0.35, 3);
    const test = clusters(5, 20, 16, 0.35, 3);
    const fit = fitLinearProbe(train, { seed: 1 });
    expect(fit.sweep).toHaveLength(6);
    expect(fit.sweep.map((s) => s.l2)).toContain(fit.l2);
    const best = Math.max(...fit.sweep.map((s) => s.validationAccuracy));
    expect(fit.sweep.find((s) => s.l2 === fit.l2)!.validationAccuracy).toBe(best);
    const accuracy = classificationMetrics(logisticScores(fit.model, test.features), test.labels, 5).top1;
    expect(accuracy).toBeGreaterThan(0.2 + 0.4);
    expect(fitLinearProbe(train, { seed: 1 }).model.parameters).toEqual(fit.model.parameters);
  });
});
