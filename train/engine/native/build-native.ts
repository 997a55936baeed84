import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nativeGemmPath } from './native-gemm.js';

/**
 * `npm run build:native`: compiles gemm.c (OpenBLAS sgemm + im2col for the wasm engine's
 * convolutions) into build/native/gemm.node with gcc, against Node's C headers and OpenBLAS.
 * Without it the engine runs its XNNPACK kernels. `npm install` tries it (`--if-possible`).
 */
const nodeHeaders = '/usr/include/node';
const openBlasHeaders = '/usr/include/x86_64-linux-gnu/openblas-pthread';
const source = join(dirname(nativeGemmPath), '..', '..', 'train', 'engine', 'native', 'gemm.c');

/** `--if-possible` (npm's prepare): a machine without gcc, Node's headers or OpenBLAS gets the XNNPACK kernels, with a notice. */
const ifPossible = process.argv.includes('--if-possible');

function fail(message: string): never {
  console.error(`build:native: ${message}${ifPossible ? '; the wasm engine runs its XNNPACK kernels' : ''}`);
  process.exit(ifPossible ? 0 : 1);
}

if (!existsSync(join(nodeHeaders, 'node_api.h')))
  fail(`no ${nodeHeaders}/node_api.h (Node's C headers: nodesource's nodejs package installs them there)`);
if (!existsSync(join(openBlasHeaders, 'cblas.h'))) fail(`no ${openBlasHeaders}/cblas.h (apt-get install libopenblas-pthread-dev)`);
mkdirSync(dirname(nativeGemmPath), { recursive: true });
const args = ['-O3', '-shared', '-fPIC', `-I${nodeHeaders}`, `-I${openBlasHeaders}`, source, '-o', nativeGemmPath, '-lopenblas'];
const compiled = spawnSync('gcc', args, { encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
if (compiled.error) fail(`gcc did not run (${compiled.error.message})`);
if (compiled.status !== 0) fail('gcc failed (above)');
console.log(`build:native: ${nativeGemmPath}`);
