import { SeededRandom } from '../random.js';
import type { ModelConfig } from './types.js';

/** One learned tensor of the model and how it is initialised and regularised. */
export interface ParamSpec {
  name: string;
  shape: number[];
  /** Whether AdamW's decoupled weight decay applies (not to biases, gains or the temperature). */
  decay: boolean;
  init: { kind: 'normal'; std: number } | { kind: 'uniform'; bound: number } | { kind: 'constant'; value: number };
}

/** Where each parameter lives in the flat parameter vector. */
export interface ParamSlot extends ParamSpec {
  offset: number;
  size: number;
}

export const temperatureParam = 'logitScale';
export const initialTemperatureLog = Math.log(1 / 0.07);
export const maxTemperatureLog = Math.log(100);

/** exp(t), the learned logit scale, read from the flat weights. */
export function logitScaleOf(slots: readonly ParamSlot[], weights: Float32Array): number {
  const slot = slots.find((s) => s.name === temperatureParam)!;
  return Math.exp(weights[slot.offset]!);
}

export function convParamNames(layer: number): { kernel: string; bias: string } {
  return { kernel: `image.conv${layer + 1}.kernel`, bias: `image.conv${layer + 1}.bias` };
}

/** The parameters in a fixed order (the order of the flat vector and of the saved state). */
export function paramSpecs(config: Required<ModelConfig>): ParamSpec[] {
  const specs: ParamSpec[] = [
    { name: 'text.embedding', shape: [config.vocabSize, config.wordDim], decay: true, init: { kind: 'normal', std: 0.02 } },
    {
      name: 'text.projection',
      shape: [config.wordDim, config.embedDim],
      decay: true,
      init: { kind: 'normal', std: config.wordDim ** -0.5 },
    },
  ];
  let inChannels = 3;
  config.convChannels.forEach((outChannels, layer) => {
    const names = convParamNames(layer);
    const bound = 1 / Math.sqrt(9 * inChannels); // PyTorch's Conv2d default
    specs.push({ name: names.kernel, shape: [3, 3, inChannels, outChannels], decay: true, init: { kind: 'uniform', bound } });
    specs.push({ name: names.bias, shape: [outChannels], decay: false, init: { kind: 'uniform', bound } });
    inChannels = outChannels;
  });
  specs.push({
    name: 'image.projection',
    shape: [inChannels, config.embedDim],
    decay: true,
    init: { kind: 'normal', std: inChannels ** -0.5 },
  });
  specs.push({ name: temperatureParam, shape: [], decay: false, init: { kind: 'constant', value: initialTemperatureLog } });
  return specs;
}

export function layoutParams(specs: ParamSpec[]): { slots: ParamSlot[]; totalSize: number } {
  let offset = 0;
  const slots = specs.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const slot = { ...spec, offset, size };
    offset += size;
    return slot;
  });
  return { slots, totalSize: offset };
}

/** Fills `weights` (the flat vector) with the seeded initial values. */
export function initialiseParams(slots: ParamSlot[], weights: Float32Array, seed: number): void {
  // Mixed so that a run's seed gives weights unrelated to its data order.
  const random = new SeededRandom((Math.floor(seed) ^ 0x9e3779b9) >>> 0);
  for (const slot of slots) {
    const view = weights.subarray(slot.offset, slot.offset + slot.size);
    const init = slot.init;
    for (let i = 0; i < view.length; i++) {
      if (init.kind === 'normal') view[i] = random.normal() * init.std;
      else if (init.kind === 'uniform') view[i] = (random.next() * 2 - 1) * init.bound;
      else view[i] = init.value;
    }
  }
}
