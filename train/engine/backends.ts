import * as tf from '@tensorflow/tfjs';
import { WitError } from '../../core/index.js';
import { registerCpuKernels, registerWasmKernels, registerWebGpuKernels } from './kernels/index.js';
import type { BackendName } from './types.js';
import { openWebGpuAdapter, webGpuInstallHint } from './webgpu-adapter.js';

export interface SelectedBackend {
  name: BackendName;
  /** Why this backend, in words (what loaded, what did not). */
  reason: string;
}

/** The order `auto` tries. */
export const backendPreference: BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

const nodePackages: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** What to install when a backend asked for by name does not start. */
const startHints: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': 'install @tensorflow/tfjs-node-gpu@4.22.0 (it needs libtensorflow and CUDA)',
  tensorflow: 'install @tensorflow/tfjs-node@4.22.0 (it needs libtensorflow)',
  webgpu: 'install the optional packages webgpu and @tensorflow/tfjs-backend-webgpu, and a Vulkan driver,',
};

/** Dawn's adapter under tfjs-backend-webgpu; a software one only when asked for by name (`auto` passes it over). */
async function activateWebGpu(allowSoftware: boolean): Promise<string> {
  const adapter = await openWebGpuAdapter();
  if (!adapter) throw new Error(`Dawn found no WebGPU adapter; ${webGpuInstallHint}`);
  if (adapter.software && !allowSoftware) {
    throw new Error(`saw only ${adapter.description}, a software adapter, slower than wasm; --backend webgpu uses it for checking`);
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend did not start on ${adapter.description}`);
  registerWebGpuKernels();
  const warning = adapter.software ? '; warning: a software adapter runs on the CPU, for checking, not speed' : '';
  return `@tensorflow/tfjs-backend-webgpu on ${adapter.description}, with wit's im2col filter-gradient kernel${warning}`;
}

async function activate(name: BackendName, requested: boolean): Promise<string> {
  if (name === 'webgpu') return activateWebGpu(requested);
  const nodePackage = nodePackages[name];
  if (nodePackage) {
    await import(nodePackage);
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${nodePackage} loaded but its backend did not start`);
    return `${nodePackage} (libtensorflow)`;
  }
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
    const convolutions = registerWasmKernels();
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD';
    return `@tensorflow/tfjs-backend-wasm (${simd}, with wit's fast matmul and convolution-gradient kernels; ${convolutions})`;
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
 * Makes `requested` the tfjs backend of this thread. `auto` takes the first of tensorflow-gpu,
 * webgpu (on a hardware adapter only), tensorflow, wasm, cpu that loads and says why the others
 * were passed over.
 */
export async function selectBackend(requested: BackendName | 'auto'): Promise<SelectedBackend> {
  tf.enableProdMode(); // silences tfjs's console advice ("install our node backend")
  if (requested !== 'auto') {
    try {
      return { name: requested, reason: `${requested} was asked for: ${await activate(requested, true)}` };
    } catch (error) {
      const hint = startHints[requested] ? `${startHints[requested]} or use --backend auto` : 'use --backend auto';
      throw new WitError(`The ${requested} backend could not start (${failureText(error)}); ${hint}.`, { cause: error });
    }
  }
  const passedOver: string[] = [];
  for (const name of backendPreference) {
    try {
      const loaded = await activate(name, false);
      const skipped = passedOver.length > 0 ? `; passed over ${passedOver.join(', ')}` : '';
      return { name, reason: `auto picked ${name}: ${loaded}${skipped}` };
    } catch (error) {
      passedOver.push(`${name} (${failureText(error)})`);
    }
  }
  throw new WitError(`No tfjs backend could start: ${passedOver.join(', ')}.`);
}
