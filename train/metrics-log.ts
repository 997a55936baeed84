import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';

/** One metrics line of a training step; the progress line shows the same keys. */
export interface StepMetrics {
  step: number;
  /** Fractional: 1.5 is halfway through the second epoch. */
  epoch: number;
  loss: number;
  lr: number;
  /** exp(t), the logit scale. */
  temperature: number;
  /** In-batch image->text top-1 accuracy. */
  i2t_acc: number;
  /** In-batch text->image top-1 accuracy. */
  t2i_acc: number;
  /** Pairs trained per second since the previous line, data waits included. */
  samples_per_sec: number;
}

/** The line written after the last step when the shard folder has val shards. */
export interface ValidationMetrics {
  step: number;
  epoch: number;
  split: 'val';
  /** In-batch retrieval accuracy over validation batches of `val_batch` pairs (chance: 1/val_batch). */
  val_i2t_acc: number;
  val_t2i_acc: number;
  val_samples: number;
  val_batch: number;
}

/**
 * `metrics.jsonl`, one JSON object a line. Opening it for a resumed run drops
 * the lines past the checkpoint, which the interrupted run logged but whose
 * steps will be trained again.
 */
export class MetricsLog {
  private constructor(readonly path: string) {}

  static async open(path: string, keepUpToStep: number): Promise<MetricsLog> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      text = '';
    }
    const kept = text.split('\n').filter((line) => line.trim() !== '' && stepOf(line) <= keepUpToStep);
    await writeFile(`${path}.tmp`, kept.map((line) => `${line}\n`).join(''));
    await rename(`${path}.tmp`, path);
    return new MetricsLog(path);
  }

  async append(record: StepMetrics | ValidationMetrics): Promise<void> {
    await appendFile(this.path, `${JSON.stringify(record)}\n`);
  }
}

function stepOf(line: string): number {
  try {
    const step = (JSON.parse(line) as { step?: unknown }).step;
    return typeof step === 'number' ? step : Infinity;
  } catch {
    return Infinity; // a torn last line from a kill
  }
}
