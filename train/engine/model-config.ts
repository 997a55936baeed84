import { WitError } from '../../core/index.js';
import type { ModelConfig } from './types.js';

/** The default model (docs/architecture.md): 20k words, 256-wide embeddings, 64x64 images, a 4-conv CNN. */
export const defaultModelConfig: Required<ModelConfig> = {
  vocabSize: 20_000,
  embedDim: 256,
  imageSize: 64,
  wordDim: 256,
  convChannels: [32, 64, 128, 256],
};

/** Fills the optional fields and checks every size is a positive integer. */
export function resolveModelConfig(config: ModelConfig): Required<ModelConfig> {
  const resolved: Required<ModelConfig> = {
    vocabSize: config.vocabSize,
    embedDim: config.embedDim,
    imageSize: config.imageSize,
    wordDim: config.wordDim ?? config.embedDim,
    convChannels: [...(config.convChannels ?? defaultModelConfig.convChannels)],
  };
  const sizes: Array<[string, number]> = [
    ['vocabSize', resolved.vocabSize],
    ['embedDim', resolved.embedDim],
    ['imageSize', resolved.imageSize],
    ['wordDim', resolved.wordDim],
    ...resolved.convChannels.map((c, i): [string, number] => [`convChannels[${i}]`, c]),
  ];
  for (const [name, value] of sizes) {
    if (!Number.isInteger(value) || value < 1) {
      throw new WitError(`ModelConfig.${name} must be a positive integer, got ${value}.`);
    }
  }
  if (resolved.convChannels.length === 0) {
    throw new WitError('ModelConfig.convChannels must list at least one convolution.');
  }
  return resolved;
}
