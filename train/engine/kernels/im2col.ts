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
 * Out-of-image taps are 0. Filled one output row at a time, so the input rows read stay in cache.
 */
export function im2colTransposed(x: Float32Array, info: backend_util.Conv2DInfo, colT: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const m = batchSize * outHeight * outWidth;
  for (let n = 0; n < batchSize; n++) {
    for (let y = 0; y < outHeight; y++) {
      const firstColumn = (n * outHeight + y) * outWidth;
      let row = 0;
      for (let kh = 0; kh < info.filterHeight; kh++) {
        const ih = y * strideHeight - top + kh;
        const inside = ih >= 0 && ih < inHeight;
        const rowBase = (n * inHeight + ih) * inWidth;
        for (let kw = 0; kw < info.filterWidth; kw++) {
          const { from, to } = insideColumns(kw - left, strideWidth, inWidth, outWidth);
          const step = strideWidth * inChannels;
          const firstRead = (rowBase + from * strideWidth + kw - left) * inChannels;
          for (let c = 0; c < inChannels; c++, row++) {
            const at = row * m + firstColumn;
            if (!inside) {
              colT.fill(0, at, at + outWidth);
              continue;
            }
            if (from > 0) colT.fill(0, at, at + from);
            if (to < outWidth) colT.fill(0, at + to, at + outWidth);
            for (let xo = from, read = firstRead + c; xo < to; xo++, read += step) colT[at + xo] = x[read]!;
          }
        }
      }
    }
  }
}
