import type { TrainBatch } from '../../train/index.js';

/**
 * A batch shaped like real training data: pixels roughly unit-normal (as after CLIP
 * normalisation) and captions of `wordsPerCaption` word ids drawn Zipf-like from the vocabulary.
 */
export function syntheticBatch(size: number, imageSize: number, vocabSize: number, wordsPerCaption: number, seed: number): TrainBatch {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const images = new Float32Array(size * imageSize * imageSize * 3);
  for (let i = 0; i < images.length; i++) images[i] = (next() + next() + next() - 1.5) * 2;
  const tokenIds = new Int32Array(size * wordsPerCaption);
  for (let i = 0; i < tokenIds.length; i++) tokenIds[i] = Math.min(vocabSize - 1, Math.floor(Math.exp(next() * Math.log(vocabSize))) - 1);
  const offsets = Int32Array.from({ length: size + 1 }, (_, i) => i * wordsPerCaption);
  return { images, tokenIds, offsets, size };
}
