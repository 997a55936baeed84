export { registerCpuKernels, registerWasmKernels } from './register.js';
export { registerWebGpuKernels } from './register-webgpu.js';
