import * as tf from '@tensorflow/tfjs';
import type { StepResult } from './types.js';

/**
 * CLIP's symmetric InfoNCE: logits = exp(t)·I·Tᵀ, pair i is the positive of row i and of
 * column i; the loss is the mean of the row-wise and column-wise cross-entropies.
 */
export function contrastiveLoss(
  images: tf.Tensor2D,
  texts: tf.Tensor2D,
  temperatureLog: tf.Scalar,
): { loss: tf.Scalar; logits: tf.Tensor2D } {
  const n = images.shape[0];
  const logits = tf.mul(tf.exp(temperatureLog), tf.matMul(images, texts, false, true)) as tf.Tensor2D;
  const positives = tf.eye(n);
  const imageToText = tf.sum(tf.mul(tf.logSoftmax(logits, 1), positives));
  const textToImage = tf.sum(tf.mul(tf.logSoftmax(tf.transpose(logits), 1), positives));
  const loss = tf.div(tf.add(imageToText, textToImage), -2 * n) as tf.Scalar;
  return { loss, logits };
}

/** Share of rows (image->text) and of columns (text->image) whose largest logit is the true pair. */
export function inBatchAccuracy(logits: Float32Array, n: number): { imageToText: number; textToImage: number } {
  let rowHits = 0;
  let columnHits = 0;
  for (let i = 0; i < n; i++) {
    let bestColumn = 0;
    let bestRow = 0;
    for (let j = 1; j < n; j++) {
      if (logits[i * n + j]! > logits[i * n + bestColumn]!) bestColumn = j;
      if (logits[j * n + i]! > logits[bestRow * n + i]!) bestRow = j;
    }
    if (bestColumn === i) rowHits++;
    if (bestRow === i) columnHits++;
  }
  return { imageToText: rowHits / n, textToImage: columnHits / n };
}

/** A step's result from its loss, its n*n logits and the temperature after the update. */
export function stepResultOf(loss: number, logits: Float32Array, n: number, temperature: number): StepResult {
  const accuracy = inBatchAccuracy(logits, n);
  return { loss, imageToTextAccuracy: accuracy.imageToText, textToImageAccuracy: accuracy.textToImage, temperature };
}
