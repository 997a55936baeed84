import { WitError } from '../../core/index.js';
import type { OptimizerBuffers } from './adamw.js';
import type { ParamSlot } from './params.js';
import type { EngineState } from './types.js';

const adamMPrefix = 'adam.m/';
const adamVPrefix = 'adam.v/';

/** Weights under their parameter names, Adam moments under adam.m/<name> and adam.v/<name>. */
export function stateFromBuffers(slots: ParamSlot[], buffers: OptimizerBuffers, step: number): EngineState {
  const tensors: EngineState['tensors'] = {};
  for (const slot of slots) {
    const range = (values: Float32Array) => values.slice(slot.offset, slot.offset + slot.size);
    tensors[slot.name] = { shape: [...slot.shape], data: range(buffers.weights) };
    tensors[adamMPrefix + slot.name] = { shape: [...slot.shape], data: range(buffers.adamM) };
    tensors[adamVPrefix + slot.name] = { shape: [...slot.shape], data: range(buffers.adamV) };
  }
  return { step, tensors };
}

/** Copies a saved state into the buffers; a missing tensor or a shape that differs is a WitError naming it. */
export function loadStateInto(slots: ParamSlot[], buffers: OptimizerBuffers, state: EngineState): void {
  if (!Number.isInteger(state.step) || state.step < 0) {
    throw new WitError(`The saved engine state has step ${state.step}; expected a non-negative integer.`);
  }
  for (const slot of slots) {
    const targets: Array<[string, Float32Array]> = [
      [slot.name, buffers.weights],
      [adamMPrefix + slot.name, buffers.adamM],
      [adamVPrefix + slot.name, buffers.adamV],
    ];
    for (const [name, target] of targets) {
      const saved = state.tensors[name];
      if (!saved) throw new WitError(`The saved engine state has no tensor ${name}; it was not written by this model.`);
      if (saved.shape.join(',') !== slot.shape.join(',') || saved.data.length !== slot.size) {
        throw new WitError(
          `The saved tensor ${name} has shape [${saved.shape.join(', ')}] but the model expects ` +
            `[${slot.shape.join(', ')}]; the checkpoint belongs to another model config or vocabulary.`,
        );
      }
      target.set(saved.data, slot.offset);
    }
  }
}
