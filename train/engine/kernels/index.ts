export { registerCpuKernels, registerWasmKernels } from './register.js';
