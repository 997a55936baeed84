import type { ReasonCounter } from '../core/index.js';
import { validationBatches } from './data-loader.js';
import type { Engine } from './engine/index.js';
import type { ShardFile } from '../webdataset/index.js';
import type { Vocabulary } from './vocabulary.js';

export interface InBatchRetrieval {
  /** Share of images whose own caption scores highest among the batch's captions. */
  imageToText: number;
  textToImage: number;
  samples: number;
  /** Pairs per batch; chance is 1/batchSize. */
  batchSize: number;
}

export interface ValidationOptions {
  shards: readonly ShardFile[];
  vocab: Vocabulary;
  imageSize: number;
  /** Pairs per batch; the last, smaller batch is left out so chance is the same for all. */
  batchSize: number;
  reasons: ReasonCounter;
  /** Stops early (the figures then cover the batches done). */
  signal?: AbortSignal;
}

/** The model's in-batch retrieval accuracy on the validation shards (centre crops, fixed order). */
export async function validateInBatch(engine: Engine, options: ValidationOptions): Promise<InBatchRetrieval> {
  let hitsI2t = 0;
  let hitsT2i = 0;
  let samples = 0;
  for await (const batch of validationBatches(options)) {
    if ((batch.size < options.batchSize && samples > 0) || options.signal?.aborted) break;
    if (batch.size < 2) break;
    const imageEmbeddings = await engine.embedImages(batch.images, batch.size);
    const textEmbeddings = await engine.embedTexts(batch);
    const hits = retrievalHits(imageEmbeddings, textEmbeddings, batch.size);
    hitsI2t += hits.imageToText;
    hitsT2i += hits.textToImage;
    samples += batch.size;
    if (batch.size < options.batchSize) break;
  }
  return {
    imageToText: samples ? hitsI2t / samples : 0,
    textToImage: samples ? hitsT2i / samples : 0,
    samples,
    batchSize: Math.min(options.batchSize, samples),
  };
}

/** Counts rows (images) and columns (texts) whose own pair has the strictly highest similarity. */
export function retrievalHits(images: Float32Array, texts: Float32Array, n: number): { imageToText: number; textToImage: number } {
  const dim = images.length / n;
  const similarity = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += images[i * dim + k]! * texts[j * dim + k]!;
      similarity[i * n + j] = dot;
    }
  }
  let imageToText = 0;
  let textToImage = 0;
  for (let i = 0; i < n; i++) {
    let rowBest = true;
    let columnBest = true;
    const own = similarity[i * n + i]!;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      if (similarity[i * n + j]! >= own) rowBest = false;
      if (similarity[j * n + i]! >= own) columnBest = false;
    }
    if (rowBest) imageToText++;
    if (columnBest) textToImage++;
  }
  return { imageToText, textToImage };
}
