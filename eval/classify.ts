import { resolveOptions, type GivenOptions, type ProgressSink, type ResolvedOptions } from '../core/index.js';
import { embedImageFiles, type SkippedImage } from './embed-images.js';
import type { EvalModel } from './eval-model.js';
import { withEvalModel } from './open-eval-model.js';
import { classifyOptions } from './options.js';
import { defaultTemplates } from './prompts.js';
import { buildZeroShotClassifier, unknownClassWarning } from './zero-shot-classifier.js';
import { classSimilarities, softmaxRows } from './zero-shot-math.js';

/** The declared options (options.ts, the stage's own), the images, labels and templates, and the hooks. */
export interface ClassifyOptions extends GivenOptions<typeof classifyOptions.entries> {
  runDir: string;
  /** Image files to label. */
  images: readonly string[];
  /** Candidate labels (at least 2). */
  labels: readonly string[];
  /**
   * Prompt templates with `{}` for the label.
   * @default ['a photo of a {}.']
   */
  templates?: readonly string[];
  onProgress?: ProgressSink;
  /** Called with warnings (labels the vocabulary does not cover) before the images are embedded. */
  onWarning?: (message: string) => void;
}

/** One image's best labels: probability is the softmax over all labels of logitScale × cosine. */
export interface ImageLabels {
  image: string;
  labels: Array<{ label: string; probability: number }>;
}

export interface ClassifyResult {
  /** In the order the images were given, less the skipped ones. */
  results: ImageLabels[];
  skipped: SkippedImage[];
}

/** Zero-shot labels for images: the `top` most likely of `labels`, with probabilities. */
export async function classifyImages(given: ClassifyOptions): Promise<ClassifyResult> {
  const options = { ...given, ...resolveOptions(classifyOptions, given) };
  return withEvalModel(options.runDir, options, (model) => classifyWithModel(model, options));
}

async function classifyWithModel(
  model: EvalModel,
  options: ClassifyOptions & ResolvedOptions<typeof classifyOptions.entries>,
): Promise<ClassifyResult> {
  const classifier = await buildZeroShotClassifier(model, options.labels, options.templates ?? defaultTemplates);
  const warning = unknownClassWarning(classifier);
  if (warning) options.onWarning?.(warning);
  const images = await embedImageFiles(model, options.images, options.batchSize, options.onProgress);
  const classCount = options.labels.length;
  const probabilities = softmaxRows(
    classSimilarities(images.embeddings, classifier.classEmbeddings, classifier.dim),
    classCount,
    model.logitScale(),
  );
  const top = Math.min(options.top, classCount);
  const results = images.kept.map((index, row) => {
    const ranked = options.labels
      .map((label, c) => ({ label, probability: probabilities[row * classCount + c]! }))
      .sort((a, b) => b.probability - a.probability);
    return { image: options.images[index]!, labels: ranked.slice(0, top) };
  });
  return { results, skipped: images.skipped };
}
