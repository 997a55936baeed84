import { tokenize } from '../queries/index.js';
import { encodeTexts, openRun, type OpenRunOptions } from '../train/index.js';
import type { EvalModel } from './eval-model.js';

/**
 * The model of a run folder, ready to embed: its last checkpoint's weights
 * with its vocabulary. `openRun` refuses a folder that is not a run, one
 * without weights, and a vocab.json that does not match the weights.
 */
export async function openEvalModel(runDir: string, options: OpenRunOptions = {}): Promise<EvalModel> {
  const { vocab, engine } = await openRun(runDir, options);
  return {
    imageSize: engine.config.imageSize,
    embedImages: (images, count) => engine.embedImages(images, count),
    embedTexts: (texts) => engine.embedTexts(encodeTexts(vocab, texts)),
    knownWords: (text) => tokenize(text).filter((word) => vocab.encode(word).length > 0),
    logitScale: () => engine.logitScale(),
    dispose: () => engine.dispose(),
  };
}

/** Runs `use` on the run folder's model and disposes of the model after, whatever `use` does. */
export async function withEvalModel<T>(runDir: string, options: OpenRunOptions, use: (model: EvalModel) => Promise<T>): Promise<T> {
  const model = await openEvalModel(runDir, options);
  try {
    return await use(model);
  } finally {
    await model.dispose();
  }
}
