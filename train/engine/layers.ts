import * as tf from '@tensorflow/tfjs';
import type { TextTensors } from './model.js';

const convAttrs = { strides: [2, 2] as [number, number], pad: 'same' as const, dataFormat: 'NHWC' as const };

function convReluForward(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  return tf.engine().runKernel(tf.FusedConv2D, { x, filter, bias }, {
    ...convAttrs,
    dilations: [1, 1],
    activation: 'relu',
    leakyreluAlpha: 0,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** Gradients of a conv+bias+ReLU layer given its input, output and the output's gradient. */
function convReluBackward(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, filter: tf.Tensor4D, withInput: boolean): tf.Tensor[] {
  const dyActive = tf.mul(dy, tf.step(y)) as tf.Tensor4D;
  const dBias = tf.sum(dyActive, [0, 1, 2]);
  const dFilter = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dyActive }, {
    ...convAttrs,
    filterShape: filter.shape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  if (!withInput) return [dFilter, dBias];
  const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dyActive, filter }, {
    ...convAttrs,
    inputShape: x.shape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  return [dx, dFilter, dBias];
}

/** Keeps a forward tensor alive for the backward pass past tfjs's forward tidy, until the step ends. */
export type RetainForBackward = <T extends tf.Tensor>(tensor: T) => T;

type CustomGradientFunc = Parameters<typeof tf.customGrad>[0];

/**
 * relu(conv3x3_stride2_same(x) + bias) as one op when taping gradients: tfjs's fused conv does not
 * fuse then (conv, add and relu run apart, and the bias gradient becomes a 3-axis Sum). The output
 * is retained rather than save()d, which would copy it. `x` is the input images (no gradient)
 * when `inputIsData`: that skips the largest Conv2DBackpropInput.
 */
export function convReluForTraining(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  inputIsData: boolean,
  retain: RetainForBackward,
): tf.Tensor4D {
  const forward = (() => {
    const y = retain(convReluForward(x, filter, bias));
    return { value: y, gradFunc: (dy: tf.Tensor) => convReluBackward(dy as tf.Tensor4D, x, y, filter, !inputIsData) };
  }) as unknown as CustomGradientFunc;
  const layer = tf.customGrad(forward);
  return (inputIsData ? layer(filter, bias) : layer(x, filter, bias)) as tf.Tensor4D;
}

/** relu(conv3x3_stride2_same(x) + bias) in one fused kernel, for inference. */
export function convRelu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  return convReluForward(x, filter, bias);
}

/**
 * Mean of each row's word vectors (an empty row gives zeros) with a direct gradient:
 * dTable = segmentSum(gather(dy/len, rowIds), tokenIds), instead of tfjs's chain of masks.
 */
export function embeddingBag(table: tf.Tensor2D, text: TextTensors): tf.Tensor2D {
  const bag = tf.customGrad((() => {
    const rows = tf.unsortedSegmentSum(tf.gather(table, text.tokenIds), text.rowIds, text.rows);
    return {
      value: tf.mul(rows, text.inverseLengths) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor) =>
        tf.unsortedSegmentSum(tf.gather(tf.mul(dy, text.inverseLengths), text.rowIds), text.tokenIds, table.shape[0]),
    };
  }) as unknown as CustomGradientFunc);
  return bag(table) as tf.Tensor2D;
}
