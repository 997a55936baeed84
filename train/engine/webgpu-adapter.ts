/** What Dawn offers this process: the adapter tfjs-backend-webgpu would take, in words. */
export interface WebGpuAdapter {
  /** e.g. "nvidia ampere (NVIDIA A100)" or "mesa software (llvmpipe: Mesa 25.0.7 ...)". */
  description: string;
  /** A CPU rasteriser (llvmpipe/lavapipe, SwiftShader, WARP): works, but slower than wasm. */
  software: boolean;
}

/** What to install when Dawn finds no adapter (on Debian bookworm, lavapipe is new enough only from backports). */
export const webGpuInstallHint =
  "install a Vulkan driver: on Debian bookworm `apt-get install -t bookworm-backports mesa-vulkan-drivers` (Mesa 25 lavapipe; bookworm's Mesa 22 is too old), or a GPU vendor's Vulkan driver";

const softwareNames = /llvmpipe|lavapipe|swiftshader|microsoft basic render|warp/i;

interface DawnModule {
  create(options: string[]): GPU;
  globals: object;
}

let opened: Promise<WebGpuAdapter | undefined> | undefined;

async function openOnce(): Promise<WebGpuAdapter | undefined> {
  const dawn = (await import('webgpu')) as DawnModule;
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return undefined;
  const { vendor, architecture, device, description } = adapter.info;
  const name = [vendor, architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  const detail = description || device;
  const fallback = adapter.isFallbackAdapter || (adapter.info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    description: detail ? `${name} (${detail})` : name,
    software: fallback || architecture === 'software' || softwareNames.test(`${device} ${description}`),
  };
}

/**
 * Loads Dawn (the `webgpu` package), makes `navigator.gpu` global for tfjs-backend-webgpu and asks
 * for its high-performance adapter; undefined when there is none. Once per process.
 */
export function openWebGpuAdapter(): Promise<WebGpuAdapter | undefined> {
  opened ??= openOnce();
  return opened;
}
