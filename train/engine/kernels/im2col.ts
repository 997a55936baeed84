import type { backend_util } from '@tensorflow/tfjs';

/** The output columns [from, to) whose tap (input column xo*stride + shift) lies inside the image. */
function insideColumns(shift: number, stride: number, inWidth: number, outWidth: number): { from: number; to: number } {
  const from = Math.min(outWidth, Math.max(0, Math.ceil(-shift / stride)));
  const to = Math.max(from, Math.min(outWidth, Math.floor((inWidth - 1 - shift) / stride) + 1));
  return { from, to };
}

/**
 * Patch matrix of an NHWC input, transposed: colT[k][m] with k = (kh*filterWidth + kw)*inChannels + c
 * (the row order of a [fh,fw,cin,cout] filter seen as [K,cout]) and m = (n*outHeight + y)*outWidth + x.
 * Out-of-image taps are 0. Filled one output row at a time, so the input rows read stay in cache;
 * the zeros are written in plain loops (a fill() per patch row cost more than the copy).
 */
export function im2colTransposed(x: Float32Array, info: backend_util.Conv2DInfo, colT: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterWidth } = info;
  const { top, left } = info.padInfo;
  const m = batchSize * outHeight * outWidth;
  const columns = Array.from({ length: filterWidth }, (_, kw) => insideColumns(kw - left, strideWidth, inWidth, outWidth));
  const step = strideWidth * inChannels;
  for (let n = 0; n < batchSize; n++) {
    for (let y = 0; y < outHeight; y++) {
      const firstColumn = (n * outHeight + y) * outWidth;
      let row = 0;
      for (let kh = 0; kh < info.filterHeight; kh++) {
        const ih = y * strideHeight - top + kh;
        if (ih < 0 || ih >= inHeight) {
          for (let end = row + filterWidth * inChannels; row < end; row++) {
            const at = row * m + firstColumn;
            for (let xo = 0; xo < outWidth; xo++) colT[at + xo] = 0;
          }
          continue;
        }
        const rowBase = (n * inHeight + ih) * inWidth;
        for (let kw = 0; kw < filterWidth; kw++) {
          const { from, to } = columns[kw]!;
          const firstRead = (rowBase + from * strideWidth + kw - left) * inChannels;
          for (let c = 0; c < inChannels; c++, row++) {
            const at = row * m + firstColumn;
            for (let xo = 0; xo < from; xo++) colT[at + xo] = 0;
            for (let xo = from, read = firstRead + c; xo < to; xo++, read += step) colT[at + xo] = x[read]!;
            for (let xo = to; xo < outWidth; xo++) colT[at + xo] = 0;
          }
        }
      }
    }
  }
}
