import { WitError, type ProgressSink } from '../core/index.js';
import { loadImageForEval } from '../train/index.js';
import type { EvalModel } from './eval-model.js';

/** An input that did not decode, and why; it is left out of every figure. */
export interface SkippedImage {
  /** The file path, or the shard sample key. */
  name: string;
  reason: string;
}

export interface EmbeddedImages {
  /** `kept.length × dim` unit rows. */
  embeddings: Float32Array;
  dim: number;
  /** Index (in the order added) of each embedded input; row r is input `kept[r]`. */
  kept: number[];
  skipped: SkippedImage[];
}

/**
 * Decodes images (centre crop, the model's size) and embeds them a batch at a
 * time, so any number of images can stream through. An input that does not
 * decode is recorded in `skipped` and the rest go on.
 */
export class ImageEmbedder {
  private readonly chunks: Float32Array[] = [];
  private readonly kept: number[] = [];
  private readonly skipped: SkippedImage[] = [];
  private pending: Array<{ input: string | Buffer; name: string; index: number }> = [];
  private added = 0;

  /** Reports `{ done: 0 }` at once, so that a progress line's clock starts with the embedding. */
  constructor(
    private readonly model: EvalModel,
    private readonly batchSize: number,
    private readonly onProgress?: ProgressSink,
  ) {
    onProgress?.({ done: 0, counts: { skipped: 0 } });
  }

  async add(input: string | Buffer, name: string): Promise<void> {
    this.pending.push({ input, name, index: this.added++ });
    if (this.pending.length >= this.batchSize) await this.flush();
  }

  async finish(): Promise<EmbeddedImages> {
    await this.flush();
    const rows = this.kept.length;
    const total = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const embeddings = new Float32Array(total);
    let at = 0;
    for (const chunk of this.chunks) {
      embeddings.set(chunk, at);
      at += chunk.length;
    }
    return { embeddings, dim: rows === 0 ? 0 : total / rows, kept: this.kept, skipped: this.skipped };
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const size = this.model.imageSize;
    const decoded = await Promise.all(batch.map((item) => decode(item.input, size)));
    const good = batch.filter((item, i) => {
      const result = decoded[i]!;
      if (typeof result === 'string') this.skipped.push({ name: item.name, reason: result });
      return typeof result !== 'string';
    });
    const pixels = new Float32Array(good.length * size * size * 3);
    let at = 0;
    for (const result of decoded) {
      if (typeof result === 'string') continue;
      pixels.set(result, at);
      at += result.length;
    }
    if (good.length > 0) this.chunks.push(await this.model.embedImages(pixels, good.length));
    this.kept.push(...good.map((item) => item.index));
    this.onProgress?.({ done: this.added, counts: { skipped: this.skipped.length } });
  }
}

/** The pixels, or why they could not be had. */
async function decode(input: string | Buffer, size: number): Promise<Float32Array | string> {
  try {
    return await loadImageForEval(input, size);
  } catch (error) {
    if (error instanceof WitError) return shortReason(error);
    throw error;
  }
}

function shortReason(error: WitError): string {
  const cause = error.cause instanceof Error ? error.cause.message : error.message;
  return cause.split('\n')[0]!.slice(0, 200);
}

/** Embeds `paths` (see `ImageEmbedder`); throws when not one of them decodes. */
export async function embedImageFiles(
  model: EvalModel,
  paths: readonly string[],
  batchSize: number,
  onProgress?: ProgressSink,
): Promise<EmbeddedImages> {
  const embedder = new ImageEmbedder(model, batchSize, onProgress && ((update) => onProgress({ ...update, total: paths.length })));
  for (const path of paths) await embedder.add(path, path);
  const images = await embedder.finish();
  if (images.kept.length === 0 && paths.length > 0) {
    const first = images.skipped[0]!;
    throw new WitError(
      `none of the ${paths.length} image(s) could be decoded (e.g. ${first.name}: ${first.reason}); pass JPEG, PNG, WebP or GIF files.`,
    );
  }
  return images;
}
