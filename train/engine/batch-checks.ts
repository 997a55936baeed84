import { WitError } from '../../core/index.js';
import type { ModelConfig, TextBatch, TrainBatch } from './types.js';

/** Throws a WitError naming the field when a TextBatch is not n well-formed CSR rows of known word ids. */
export function checkTextBatch(batch: TextBatch, vocabSize: number, rows?: number): void {
  const { offsets, tokenIds } = batch;
  if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== tokenIds.length) {
    throw new WitError(`TextBatch.offsets must start at 0 and end at tokenIds.length (${tokenIds.length}); got ${offsets.length} offsets.`);
  }
  if (rows !== undefined && offsets.length !== rows + 1) {
    throw new WitError(`TextBatch.offsets must hold ${rows + 1} entries for ${rows} rows, got ${offsets.length}.`);
  }
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i]! < offsets[i - 1]!) throw new WitError(`TextBatch.offsets decreases at index ${i}.`);
  }
  for (let i = 0; i < tokenIds.length; i++) {
    const id = tokenIds[i]!;
    if (id < 0 || id >= vocabSize) {
      throw new WitError(`TextBatch.tokenIds[${i}] is ${id}, outside the vocabulary [0, ${vocabSize}).`);
    }
  }
}

export function checkImages(images: Float32Array, n: number, config: Required<ModelConfig>): void {
  const expected = n * config.imageSize * config.imageSize * 3;
  if (!Number.isInteger(n) || n < 0 || images.length !== expected) {
    throw new WitError(
      `images must hold n*${config.imageSize}*${config.imageSize}*3 = ${expected} floats for n=${n}, got ${images.length}.`,
    );
  }
}

export function checkTrainBatch(batch: TrainBatch, config: Required<ModelConfig>): void {
  if (batch.size < 2) throw new WitError(`A contrastive batch needs at least 2 pairs, got ${batch.size}.`);
  checkImages(batch.images, batch.size, config);
  checkTextBatch(batch, config.vocabSize, batch.size);
}
