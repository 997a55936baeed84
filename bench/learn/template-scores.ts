import { classificationMetrics, classPrompts, ensembleClassEmbeddings, plainScoreRows } from '../../eval/index.js';

/** Zero-shot prompt sets the bench scores every trained model with. */
export const templateSets: Record<string, readonly string[]> = {
  photo: ['a photo of a {}.'],
  name: ['{}'],
  // The 7 templates CLIP's authors found best on ImageNet (their prompt-engineering notebook).
  clip7: [
    'itap of a {}.',
    'a bad photo of the {}.',
    'a origami {}.',
    'a photo of the large {}.',
    'a {} in a video game.',
    'art of the {}.',
    'a photo of the small {}.',
  ],
};

export interface TopK {
  top1: number;
  top5: number;
}

/** Every set's prompts for every class, set after set (the order `scoreTemplateSets` reads them in). */
export function allPrompts(classNames: readonly string[]): string[] {
  return Object.values(templateSets).flatMap((templates) => classPrompts(classNames, templates));
}

/**
 * Top-1/top-5 of each template set: image i is of class i; `promptEmbeddings` holds `allPrompts`'s
 * rows. Each set's prompts are ensembled per class as `wit eval zeroshot` does.
 */
export function scoreTemplateSets(
  imageEmbeddings: Float32Array,
  promptEmbeddings: Float32Array,
  classCount: number,
  dim: number,
): Record<string, TopK> {
  const scores: Record<string, TopK> = {};
  let row = 0;
  for (const [name, templates] of Object.entries(templateSets)) {
    const rows = classCount * templates.length;
    const classes = ensembleClassEmbeddings(promptEmbeddings.subarray(row * dim, (row + rows) * dim), classCount, templates.length);
    row += rows;
    const similarities = plainScoreRows(imageEmbeddings, classes, dim)(0, classCount);
    const metrics = classificationMetrics(
      similarities,
      Array.from({ length: classCount }, (_, i) => i),
      classCount,
    );
    scores[name] = { top1: metrics.top1, top5: metrics.top5 };
  }
  return scores;
}
