export { registerCpuKernels, registerWasmKernels, wasmConvolutionKernels, type WasmConvolutionKernels } from './register.js';
export { registerWebGpuKernels } from './register-webgpu.js';
