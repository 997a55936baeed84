import type { backend_util } from '@tensorflow/tfjs';

/**
 * Patch matrix of an NHWC input, transposed: colT[k][m] with k = (kh*filterWidth + kw)*inChannels + c
 * (the row order of a [fh,fw,cin,cout] filter seen as [K,cout]) and m = (n*outHeight + y)*outWidth + x.
 * Out-of-image taps are 0.
 */
export function im2colTransposed(x: Float32Array, info: backend_util.Conv2DInfo, colT: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const m = batchSize * outHeight * outWidth;
  let row = 0;
  for (let kh = 0; kh < info.filterHeight; kh++) {
    for (let kw = 0; kw < info.filterWidth; kw++) {
      for (let c = 0; c < inChannels; c++, row++) {
        let at = row * m;
        for (let n = 0; n < batchSize; n++) {
          const imageBase = n * inHeight;
          for (let y = 0; y < outHeight; y++) {
            const ih = y * strideHeight - top + kh;
            if (ih < 0 || ih >= inHeight) {
              colT.fill(0, at, at + outWidth);
              at += outWidth;
              continue;
            }
            const rowBase = (imageBase + ih) * inWidth;
            for (let xo = 0; xo < outWidth; xo++, at++) {
              const iw = xo * strideWidth - left + kw;
              colT[at] = iw >= 0 && iw < inWidth ? x[(rowBase + iw) * inChannels + c]! : 0;
            }
          }
        }
      }
    }
  }
}

/**
 * Adds patch gradients back into the input gradient (the adjoint of im2col): col is [M][K] with
 * the same m and k order as im2colTransposed; dx must start zeroed.
 */
export function col2imAdd(col: Float32Array, info: backend_util.Conv2DInfo, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const k = info.filterHeight * info.filterWidth * inChannels;
  let at = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let y = 0; y < outHeight; y++) {
      for (let xo = 0; xo < outWidth; xo++, at += k) {
        let tap = at;
        for (let kh = 0; kh < info.filterHeight; kh++) {
          const ih = y * strideHeight - top + kh;
          if (ih < 0 || ih >= inHeight) {
            tap += info.filterWidth * inChannels;
            continue;
          }
          for (let kw = 0; kw < info.filterWidth; kw++, tap += inChannels) {
            const iw = xo * strideWidth - left + kw;
            if (iw < 0 || iw >= inWidth) continue;
            const base = ((n * inHeight + ih) * inWidth + iw) * inChannels;
            for (let c = 0; c < inChannels; c++) dx[base + c] = dx[base + c]! + col[tap + c]!;
          }
        }
      }
    }
  }
}
