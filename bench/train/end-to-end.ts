import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openmojiShards } from '../../test/fixtures/train-shards.js';
import { train } from '../../train/index.js';
import { classPrompts, defaultTemplates } from '../../eval/index.js';
import { exportForPeer, readHeldOut } from '../learn/export-data.js';
import { runLearnPeer, type LearnPeerResult } from '../learn/run-learn-peer.js';

export interface EndToEndOptions {
  trainPairs: number;
  epochs: number;
  batchSize: number;
  workers: number;
  threads: number;
}

export interface EndToEndFigures {
  /** `wit train` from start to end, decoding included. */
  witSamplesPerSec: number;
  /** The whole run's seconds. */
  witSecs: number;
  /** The decoded cache's build, of the whole run's seconds. */
  witDecodeSecs: number;
  /** From the decoded images to the training loop's end (engine start, steps, checkpoints), of the whole run's seconds. */
  witTrainingSecs: number;
  /** The share of the training loop spent waiting for batches, as `wit train` reports it. */
  witDataWaitShare: string;
  peer: { samplesPerSec: number; blasLibraries: string[] } | string;
}

/**
 * `wit train` (default model, 64 px) on real 256-px openmoji shards, end to end, and the same
 * training in PyTorch on the images wit decoded once (as a PyTorch user with a cached dataset).
 */
export async function measureEndToEnd(options: EndToEndOptions): Promise<EndToEndFigures> {
  const shardsDir = await openmojiShards({ trainCount: options.trainPairs, valCount: 32, shardSize: 500, pixels: 256 });
  const work = mkdtempSync(join(tmpdir(), 'wit-bench-e2e-'));
  try {
    const messages: string[] = [];
    const started = performance.now();
    let decodeEndedAt = started;
    let loopEndedAt = started;
    const result = await train({
      shardsDir,
      outDir: join(work, 'run'),
      backend: 'wasm',
      epochs: options.epochs,
      batchSize: options.batchSize,
      workers: options.workers,
      log: (message) => {
        if (message.includes('images decoded')) decodeEndedAt = performance.now();
        if (message.startsWith('data:')) loopEndedAt = performance.now();
        messages.push(message);
      },
    });
    const secs = (performance.now() - started) / 1000;
    const waitLine = messages.find((m) => m.startsWith('data:')) ?? '';
    const dataPath = join(work, 'peer');
    const heldOut = await readHeldOut(shardsDir, 64);
    const prompts = classPrompts(
      heldOut.map((item) => item.className),
      defaultTemplates,
    );
    const config = await exportForPeer(join(work, 'run'), shardsDir, heldOut, prompts, dataPath);
    return {
      witSamplesPerSec: (result.steps * options.batchSize) / secs,
      witSecs: secs,
      witDecodeSecs: (decodeEndedAt - started) / 1000,
      witTrainingSecs: (loopEndedAt - decodeEndedAt) / 1000,
      witDataWaitShare: /\(([\d.]+%) of the time/.exec(waitLine)?.[1] ?? '?',
      peer: peerFigures(runLearnPeer(dataPath, config.train, options.threads), options.batchSize),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function peerFigures(result: LearnPeerResult | string, batchSize: number): EndToEndFigures['peer'] {
  if (typeof result === 'string') return result;
  return { samplesPerSec: (result.steps * batchSize) / result.seconds, blasLibraries: result.blasLibraries };
}
