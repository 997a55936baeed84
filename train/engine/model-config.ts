import { resolveOptions } from '../../core/index.js';
import { modelOptions } from '../options.js';
import type { ModelConfig } from './types.js';

const { entries } = modelOptions;

/** The default model (docs/architecture.md), the training options' defaults: 20k words, 256-wide embeddings, 64x64 images, a 4-conv CNN. */
export const defaultModelConfig: Required<ModelConfig> = {
  vocabSize: entries.vocabSize.default,
  embedDim: entries.embedDim.default,
  imageSize: entries.imageSize.default,
  wordDim: entries.embedDim.default,
  convChannels: [...entries.convChannels.default],
};

/** Fills the optional fields and checks every size: a bad one is the option error naming the flag and `ModelConfig.x`. */
export function resolveModelConfig(config: ModelConfig): Required<ModelConfig> {
  const resolved = resolveOptions(modelOptions, config);
  return { ...resolved, wordDim: resolved.wordDim ?? resolved.embedDim, convChannels: [...resolved.convChannels] };
}
