import * as tf from '@tensorflow/tfjs';
import { WitError } from '../../db/index.js';
import { registerCpuKernels, registerWasmKernels } from './kernels/index.js';
import type { BackendName } from './types.js';

export interface SelectedBackend {
  name: BackendName;
  /** Why this backend, in words (what loaded, what did not). */
  reason: string;
}

/** The order `auto` tries. */
export const backendPreference: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

const nodePackages: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

async function activate(name: BackendName): Promise<string> {
  const nodePackage = nodePackages[name];
  if (nodePackage) {
    await import(nodePackage);
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${nodePackage} loaded but its backend did not start`);
    return `${nodePackage} (libtensorflow)`;
  }
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
    registerWasmKernels();
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD';
    return `@tensorflow/tfjs-backend-wasm (${simd}, with wit's fast matmul and convolution-gradient kernels)`;
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
  registerCpuKernels();
  return 'the plain JavaScript cpu backend (slow: for tests and as a last resort)';
}

function failureText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /Cannot find (package|module)/.test(message) ? 'not installed' : message.split('\n')[0]!;
}

/**
 * Makes `requested` the tfjs backend of this thread. `auto` takes the first of
 * tensorflow-gpu, tensorflow, wasm, cpu that loads and says why the others were passed over.
 */
export async function selectBackend(requested: BackendName | 'auto'): Promise<SelectedBackend> {
  tf.enableProdMode(); // silences tfjs's console advice ("install our node backend")
  if (requested !== 'auto') {
    try {
      return { name: requested, reason: `${requested} was asked for: ${await activate(requested)}` };
    } catch (error) {
      const hint = nodePackages[requested]
        ? `install ${nodePackages[requested]}@4.22.0 (it needs libtensorflow${requested === 'tensorflow-gpu' ? ' and CUDA' : ''}) or use --backend auto`
        : 'use --backend auto';
      throw new WitError(`The ${requested} backend could not start (${failureText(error)}); ${hint}.`, { cause: error });
    }
  }
  const passedOver: string[] = [];
  for (const name of backendPreference) {
    try {
      const loaded = await activate(name);
      const skipped = passedOver.length > 0 ? `; passed over ${passedOver.join(', ')}` : '';
      return { name, reason: `auto picked ${name}: ${loaded}${skipped}` };
    } catch (error) {
      passedOver.push(`${name} (${failureText(error)})`);
    }
  }
  throw new WitError(`No tfjs backend could start: ${passedOver.join(', ')}.`);
}
