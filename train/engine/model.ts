import * as tf from '@tensorflow/tfjs';
import { convRelu, convReluForTraining, embeddingBag, type RetainForBackward } from './layers.js';
import { convParamNames } from './params.js';
import type { ModelConfig, TextBatch } from './types.js';

/** The model's parameters as tensors, by ParamSpec name. */
export type ParamTensors = Record<string, tf.Tensor>;

function param<R extends tf.Rank>(params: ParamTensors, name: string): tf.Tensor<R> {
  const tensor = params[name];
  if (!tensor) throw new Error(`model parameter ${name} is missing`);
  return tensor as tf.Tensor<R>;
}

/** Rows scaled to unit L2 norm; a zero row stays zero (x / max(|x|, 1e-12), as F.normalize). */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  const squaredNorm = tf.sum(tf.square(x), 1, true);
  return tf.mul(x, tf.rsqrt(tf.maximum(squaredNorm, 1e-24)));
}

/**
 * The CNN: 3x3 stride-2 convolutions with ReLU, global average pool, linear, L2 norm.
 * `retain` is given when taping gradients (see convReluForTraining).
 */
export function encodeImages(
  params: ParamTensors,
  config: Required<ModelConfig>,
  images: tf.Tensor4D,
  retain?: RetainForBackward,
): tf.Tensor2D {
  let x = images;
  config.convChannels.forEach((_, layer) => {
    const names = convParamNames(layer);
    const filter = param<tf.Rank.R4>(params, names.kernel);
    const bias = param<tf.Rank.R1>(params, names.bias);
    x = retain ? convReluForTraining(x, filter, bias, layer === 0, retain) : convRelu(x, filter, bias);
  });
  const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
  return l2Normalize(tf.matMul(pooled, param<tf.Rank.R2>(params, 'image.projection')));
}

/** A TextBatch as tensors: the flat word ids, the row of each id and 1/length per row (0 if empty). */
export interface TextTensors {
  tokenIds: tf.Tensor1D;
  rowIds: tf.Tensor1D;
  inverseLengths: tf.Tensor2D;
  rows: number;
}

export function textTensors(batch: TextBatch): TextTensors {
  const rows = batch.offsets.length - 1;
  const rowIds = new Int32Array(batch.tokenIds.length);
  const inverseLengths = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    const start = batch.offsets[row]!;
    const end = batch.offsets[row + 1]!;
    rowIds.fill(row, start, end);
    inverseLengths[row] = end > start ? 1 / (end - start) : 0;
  }
  return {
    tokenIds: tf.tensor1d(batch.tokenIds, 'int32'),
    rowIds: tf.tensor1d(rowIds, 'int32'),
    inverseLengths: tf.tensor2d(inverseLengths, [rows, 1]),
    rows,
  };
}

/** Embedding bag (mean of the row's word vectors), linear, L2 norm. */
export function encodeTexts(params: ParamTensors, text: TextTensors): tf.Tensor2D {
  const bags = embeddingBag(param<tf.Rank.R2>(params, 'text.embedding'), text);
  return l2Normalize(tf.matMul(bags, param<tf.Rank.R2>(params, 'text.projection')));
}
