import * as tf from '@tensorflow/tfjs';
import { plainScoreRows, type ScoreRows } from './recall.js';

/**
 * Similarity blocks as matrix products on the active tfjs backend (the one
 * `openRun` selected: wasm's XNNPACK, or libtensorflow; on webgpu the TypeScript dot products), several times faster
 * than dot products in TypeScript. The captions are uploaded once, already
 * transposed (`dim × count`), so each product runs without a transpose.
 * Call `dispose` when done.
 */
export function tensorScoreRows(images: Float32Array, texts: Float32Array, count: number): { scoreRows: ScoreRows; dispose: () => void } {
  const dim = texts.length / count;
  // WebGPU has no synchronous read in Node, and ScoreRows is synchronous.
  if (tf.getBackend() === 'webgpu') return { scoreRows: plainScoreRows(images, texts, dim), dispose: () => undefined };
  const textsByColumn = tf.tidy(() => tf.transpose(tf.tensor2d(texts, [count, dim])));
  return {
    scoreRows: (first, rows) => {
      const scores = tf.tidy(() => tf.matMul(tf.tensor2d(images.subarray(first * dim, (first + rows) * dim), [rows, dim]), textsByColumn));
      try {
        return scores.dataSync() as Float32Array;
      } finally {
        scores.dispose();
      }
    },
    dispose: () => textsByColumn.dispose(),
  };
}
