import { createHash } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WitError } from '../core/index.js';
import type { DataPosition } from './data-loader.js';
import type { EngineState } from './engine/index.js';

/** What a checkpoint records besides the tensors. */
export interface CheckpointMeta {
  /** Training steps done. */
  step: number;
  /** Where the data stream stands after the last step. */
  data: DataPosition;
  /** `Vocabulary.fingerprint()` of the vocabulary the text embedding was trained with. */
  vocabFingerprint: string;
}

/** `checkpoint.json`: the index of the weights file next to it. */
interface CheckpointIndex extends CheckpointMeta {
  format: 'wit-checkpoint-1';
  engineStep: number;
  /** The file of little-endian float32 data, tensors back to back. */
  weightsFile: string;
  /** SHA-256 of the weights file, hex: bytes of the right length can still be damaged. Absent in checkpoints of older wit. */
  weightsSha256?: string;
  tensors: Array<{ name: string; shape: number[]; offset: number; length: number }>;
  savedAt: string;
}

export const checkpointIndexName = 'checkpoint.json';

/**
 * Writes the tensors to `weights-<step>.bin` and then `checkpoint.json`,
 * each to a temp name, synced and renamed: the index's rename is the commit
 * point, so a kill at any moment leaves the previous checkpoint whole.
 * Older weight files are removed afterwards.
 */
export async function writeCheckpoint(dir: string, state: EngineState, meta: CheckpointMeta): Promise<void> {
  try {
    await writeCheckpointFiles(dir, state, meta);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new WitError(
      `cannot write the step ${meta.step} checkpoint in ${dir} (${reason}); the previous checkpoint is kept: fix the folder (space, permissions) and run again with --resume.`,
      { cause: error },
    );
  }
}

async function writeCheckpointFiles(dir: string, state: EngineState, meta: CheckpointMeta): Promise<void> {
  const weightsFile = `weights-${String(meta.step).padStart(8, '0')}.bin`;
  const tensors: CheckpointIndex['tensors'] = [];
  let offset = 0;
  for (const [name, { shape, data }] of Object.entries(state.tensors)) {
    tensors.push({ name, shape, offset, length: data.length });
    offset += data.length;
  }
  const parts = Object.values(state.tensors).map(({ data }) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  await writeAtomically(join(dir, weightsFile), parts);
  const weightsSha256 = hash.digest('hex');
  const index: CheckpointIndex = {
    format: 'wit-checkpoint-1',
    ...meta,
    engineStep: state.step,
    weightsFile,
    weightsSha256,
    tensors,
    savedAt: new Date().toISOString(),
  };
  await writeAtomically(join(dir, checkpointIndexName), [Buffer.from(`${JSON.stringify(index, null, 1)}\n`)]);
  await syncDir(dir);
  for (const name of await readdir(dir)) {
    if ((/^weights-\d+\.bin$/.test(name) && name !== weightsFile) || name.endsWith('.tmp')) await rm(join(dir, name), { force: true });
  }
}

/** The run's last checkpoint, or undefined when it has none yet. */
export async function readCheckpoint(dir: string): Promise<{ meta: CheckpointMeta; state: EngineState } | undefined> {
  const indexPath = join(dir, checkpointIndexName);
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WitError(`cannot read ${indexPath} (${(error as Error).message}).`, { cause: error });
  }
  const index = parseIndex(text, indexPath);
  const weightsPath = join(dir, index.weightsFile);
  let bytes: Buffer;
  try {
    bytes = await readFile(weightsPath);
  } catch (error) {
    throw new WitError(
      `the checkpoint ${indexPath} names ${index.weightsFile}, which cannot be read (${(error as Error).message}): the run folder is damaged; start a new run.`,
      { cause: error },
    );
  }
  const floats = index.tensors.reduce((sum, t) => Math.max(sum, t.offset + t.length), 0);
  if (bytes.length !== floats * 4) {
    throw new WitError(
      `${weightsPath} holds ${bytes.length} bytes but ${indexPath} expects ${floats * 4}: the weights file is damaged; start a new run.`,
    );
  }
  if (index.weightsSha256 !== undefined && createHash('sha256').update(bytes).digest('hex') !== index.weightsSha256) {
    throw new WitError(
      `${weightsPath} is damaged: its SHA-256 is not the one ${indexPath} recorded when it was written; start a new run (or restore the file from a copy).`,
    );
  }
  const tensors: EngineState['tensors'] = {};
  for (const { name, shape, offset, length } of index.tensors) {
    const data = new Float32Array(length);
    new Uint8Array(data.buffer).set(bytes.subarray(offset * 4, (offset + length) * 4));
    tensors[name] = { shape, data };
  }
  return {
    meta: { step: index.step, data: index.data, vocabFingerprint: index.vocabFingerprint },
    state: { step: index.engineStep, tensors },
  };
}

function parseIndex(text: string, path: string): CheckpointIndex {
  let index: Partial<CheckpointIndex>;
  try {
    index = JSON.parse(text) as Partial<CheckpointIndex>;
  } catch (error) {
    throw new WitError(`${path} is not valid JSON (${(error as Error).message}): the run folder is damaged; start a new run.`, {
      cause: error,
    });
  }
  if (index.format !== 'wit-checkpoint-1' || typeof index.weightsFile !== 'string' || !Array.isArray(index.tensors) || !index.data) {
    throw new WitError(`${path} is not a wit checkpoint index (format "wit-checkpoint-1").`);
  }
  return index as CheckpointIndex;
}

async function writeAtomically(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w');
  try {
    for (const part of parts) {
      for (let written = 0; written < part.length; ) written += (await handle.write(part, written)).bytesWritten;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
