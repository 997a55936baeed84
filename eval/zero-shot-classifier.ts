import type { EvalModel } from './eval-model.js';
import { classPrompts, ensembleClassEmbeddings } from './zero-shot-math.js';

/** Class embeddings to score images against: `classCount × dim` unit rows. */
export interface ZeroShotClassifier {
  classNames: string[];
  classEmbeddings: Float32Array;
  dim: number;
  /** Class names none of whose words the model knows. */
  classesWithoutKnownWords: string[];
}

/**
 * Embeds every (class, template) prompt and ensembles them per class as CLIP
 * does (`ensembleClassEmbeddings`).
 */
export async function buildZeroShotClassifier(
  model: EvalModel,
  classNames: readonly string[],
  templates: readonly string[],
): Promise<ZeroShotClassifier> {
  const prompts = classPrompts(classNames, templates);
  const promptEmbeddings = await model.embedTexts(prompts);
  const classEmbeddings = ensembleClassEmbeddings(promptEmbeddings, classNames.length, templates.length);
  return {
    classNames: [...classNames],
    classEmbeddings,
    dim: classEmbeddings.length / classNames.length,
    classesWithoutKnownWords: classNames.filter((name) => model.knownWords(name).length === 0),
  };
}

/** The warning for class names the vocabulary does not cover, or undefined when all are covered. */
export function unknownClassWarning(classifier: ZeroShotClassifier): string | undefined {
  const unknown = classifier.classesWithoutKnownWords;
  if (unknown.length === 0) return undefined;
  const shown = unknown
    .slice(0, 10)
    .map((name) => `"${name}"`)
    .join(', ');
  return (
    `${unknown.length} of ${classifier.classNames.length} class names have no word in the model's vocabulary: ${shown}` +
    `${unknown.length > 10 ? ', …' : ''}. Their prompts carry only the template's words, so these classes are guesses; ` +
    'rename them (--classnames) with words the training captions use.'
  );
}
