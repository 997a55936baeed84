import { backend_util, type Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';

type ConvAttrs = Pick<Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>;

/** Conv2DInfo for the NHWC, undilated convolutions the gradient kernels support. */
export function nhwcConvInfo(kernelName: string, inShape: number[], filterShape: number[], attrs: ConvAttrs): backend_util.Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`${kernelName} on wasm supports only NHWC, got ${attrs.dataFormat}.`);
  return backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}
