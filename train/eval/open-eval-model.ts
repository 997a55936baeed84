import { NotBuiltError } from '../../db/index.js';
import type { EvalModel } from './eval-model.js';

/**
 * The model of a run folder, ready to embed. Waits on the trainer's
 * `openRun` (issue #7).
 */
export async function openEvalModel(runDir: string): Promise<EvalModel> {
  throw new NotBuiltError(`eval --run ${runDir}`, 7);
}
