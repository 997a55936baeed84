import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DecodedCache,
  decodeResized,
  listShards,
  readRunConfig,
  readShardSamples,
  runFiles,
  trainCropMinScale,
  Vocabulary,
  type ResizedImage,
  type RunConfig,
} from '../../train/index.js';

/** A held-out image and the name of its class (its emoji's annotation). */
export interface HeldOutImage {
  image: ResizedImage;
  className: string;
}

/** The held-out split: the val shards' images, each its own class, named by its caption's annotation. */
export async function readHeldOut(shardsDir: string, imageSize: number): Promise<HeldOutImage[]> {
  const out: HeldOutImage[] = [];
  for (const shard of await listShards(shardsDir, 'val')) {
    for await (const sample of readShardSamples(shard.path))
      out.push({ image: await decodeResized(sample.jpg, imageSize), className: sample.txt.split(', ')[0]! });
  }
  return out;
}

/**
 * Writes PATH.json + PATH.bin for bench/peer/learn.py: the train samples of a wit run as its
 * decoded cache holds them, with their token ids from the run's vocabulary (samples with no known
 * word left out, as wit leaves them out), the held-out images and the token ids of their prompts.
 */
export async function exportForPeer(
  runDir: string,
  shardsDir: string,
  heldOut: readonly HeldOutImage[],
  prompts: readonly string[],
  path: string,
): Promise<RunConfig> {
  const config = (await readRunConfig(runDir))!;
  const vocab = await Vocabulary.load(join(runDir, runFiles.vocab));
  const shards = await listShards(shardsDir, 'train');
  const cache = await DecodedCache.open(join(runDir, runFiles.decodedCache), {
    imageSize: config.model.imageSize,
    shards,
    maxMemoryBytes: 2 ** 31,
    log: () => undefined,
  });
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const place = (image: ResizedImage) => {
    chunks.push(image.data);
    bytes += image.data.length;
    return { width: image.width, height: image.height, channels: image.channels, offset: bytes - image.data.length };
  };
  const train: Array<ReturnType<typeof place> & { tokens: number[] }> = [];
  for (const shard of shards) {
    for await (const sample of cache.samples(shard.name)) {
      const tokens = [...vocab.encode(sample.txt)];
      if (tokens.length > 0) train.push({ ...place(sample.image), tokens });
    }
  }
  const images = heldOut.map((item) => place(item.image));
  const promptTokens = prompts.map((prompt) => [...vocab.encode(prompt)]);
  const { model, train: settings } = config;
  const meta = {
    settings: {
      ...model,
      batchSize: settings.batchSize,
      lr: settings.lr,
      weightDecay: settings.weightDecay,
      gradClipNorm: settings.gradClipNorm,
      cropMinScale: trainCropMinScale,
    },
    train,
    heldOut: { images, promptTokens },
  };
  await writeFile(`${path}.json`, JSON.stringify(meta));
  await writeFile(`${path}.bin`, Buffer.concat(chunks, bytes));
  return config;
}
