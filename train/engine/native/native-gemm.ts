import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions (gemm.c) on Float32Arrays, which may be views of tfjs-wasm's heap. */
export interface NativeGemm {
  /** c[m,n] = op(a) op(b) + beta c, dense row-major; a transposed operand is given as stored. */
  sgemm(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    beta: number,
  ): void;
  /** NHWC patch matrix col[m][k], m = (n, y, x), k = (kh, kw, c); with `backward` 1 it adds col into x (col2im). */
  im2col(
    x: Float32Array,
    col: Float32Array,
    images: number,
    inHeight: number,
    inWidth: number,
    channels: number,
    outHeight: number,
    outWidth: number,
    stride: number,
    top: number,
    left: number,
    filterHeight: number,
    filterWidth: number,
    backward: number,
  ): void;
}

/** The checkout's root (the folder with package.json), from this file in the sources or in dist/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** Where `npm run build:native` writes the addon. */
export const nativeGemmPath = join(packageRoot(), 'build', 'native', 'gemm.node');

let loaded: NativeGemm | string | undefined;

/** The OpenBLAS addon if it was built, else why not (once per thread). */
export function loadNativeGemm(): NativeGemm | string {
  if (loaded === undefined) {
    loaded = existsSync(nativeGemmPath)
      ? (createRequire(import.meta.url)(nativeGemmPath) as NativeGemm)
      : 'the OpenBLAS addon is not built (npm run build:native)';
  }
  return loaded;
}
