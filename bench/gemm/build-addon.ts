import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions (gemm.c). */
export interface NativeGemm {
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

const source = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'gemm', 'gemm.c');
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'out', 'gemm');
const nodeHeaders = '/usr/include/node';
const openBlas = '/usr/include/x86_64-linux-gnu/openblas-pthread';

/** Compiles gemm.c against Debian's node headers and OpenBLAS and loads it; a reason when it cannot. */
export function buildAddon(): NativeGemm | string {
  if (!existsSync(join(nodeHeaders, 'node_api.h'))) return `no ${nodeHeaders}/node_api.h (Node's C headers: nodesource's nodejs package installs them there)`;
  if (!existsSync(join(openBlas, 'cblas.h'))) return `no ${openBlas}/cblas.h (apt-get install libopenblas-pthread-dev)`;
  mkdirSync(outDir, { recursive: true });
  const addon = join(outDir, 'gemm.node');
  const args = ['-O3', '-shared', '-fPIC', `-I${nodeHeaders}`, `-I${openBlas}`, source, '-o', addon, '-lopenblas'];
  const compiled = spawnSync('gcc', args, { encoding: 'utf8' });
  if (compiled.error) return `gcc did not run (${compiled.error.message})`;
  if (compiled.status !== 0) return `gcc failed: ${compiled.stderr.trim().split('\n')[0]}`;
  return createRequire(import.meta.url)(addon) as NativeGemm;
}
