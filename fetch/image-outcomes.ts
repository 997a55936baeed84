import { recordImageOutcomes, type ImageOutcome, type StoredImage, type WitDb } from '../db/index.js';

/** Outcomes written in one transaction: one commit per image cost more CPU than the row itself. */
const batchSize = 64;
/** The longest an outcome waits for its batch, so that a slow run still shows its rows in the db. */
const flushMillis = 500;

/**
 * The rows of a fetch run, written in batches. A kill before a batch is
 * written loses only those rows' outcomes: they are still pending, so the next
 * run fetches them again, and their files (already in the store under their
 * sha256) are written again under the same names: nothing is stored twice.
 */
export class ImageOutcomes {
  private batch: ImageOutcome[] = [];
  /** Images of the batch by sha256: stored, but not yet findable in the db. */
  private readonly unwritten = new Map<string, StoredImage>();
  private timer: NodeJS.Timeout | undefined;

  /** `onError`: a timed write failed (disk full): the run must stop. */
  constructor(
    private readonly db: WitDb,
    private readonly onError: (error: unknown) => void,
  ) {}

  add(outcome: ImageOutcome): void {
    this.batch.push(outcome);
    if ('image' in outcome) this.unwritten.set(outcome.image.sha256, outcome.image);
    if (this.batch.length >= batchSize) this.write();
    else this.timer ??= setTimeout(() => this.writeOrReport(), flushMillis).unref();
  }

  /** An image of the batch with these bytes, if any (the db does not have it yet). */
  unwrittenImage(sha256: string): StoredImage | undefined {
    return this.unwritten.get(sha256);
  }

  /** Writes the batch now. */
  write(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.unwritten.clear();
    recordImageOutcomes(this.db, batch);
  }

  private writeOrReport(): void {
    try {
      this.write();
    } catch (error) {
      this.onError(error);
    }
  }
}
