import { type ReasonCounter, WitError } from '../core/index.js';
import type { DecodedCache } from './decoded-cache.js';
import { centreCropNormalised, decodeResized, type ResizedImage } from './image-decode.js';
import { trainOptions } from './options.js';
import { prefetch } from './prefetch.js';
import { randomResizedCrop } from './random-resized-crop.js';
import { hashSeed, SeededRandom } from './random.js';
import { readShardSamples, type ShardFile } from '../webdataset/index.js';
import { shuffleBuffered } from './shuffle-buffer.js';
import { packTokenLists } from './text-batch.js';
import type { Vocabulary } from './vocabulary.js';

/** Where the data stream of a run stands: the epoch, and how many samples of its shuffled stream were drawn. */
export interface DataPosition {
  epoch: number;
  samplesDrawn: number;
}

/** A batch as the engine takes it, plus where the stream stands after it. */
export interface LoadedBatch {
  /** n x S x S x 3, CLIP-normalised RGB. */
  images: Float32Array;
  tokenIds: Int32Array;
  offsets: Int32Array;
  /** n, the number of pairs. */
  size: number;
  keys: string[];
  /** The position after this batch: resuming from it continues with the next batch. */
  after: DataPosition;
}

export interface TrainLoaderOptions {
  shards: readonly ShardFile[];
  vocab: Vocabulary;
  imageSize: number;
  batchSize: number;
  /** Seeds the shard order, the shuffle buffer and the crops of every epoch. */
  seed: number;
  /** Where to start; a resumed run passes its checkpoint's position. */
  start: DataPosition;
  /** Samples held in the shuffle buffer (it mixes samples across shards); by default `--shuffle-buffer`'s. */
  shuffleBufferSize?: number;
  /**
   * Batches decoded ahead of the training step.
   * @default 3
   */
  prefetchBatches?: number;
  /** Counts samples left out, by reason. */
  reasons: ReasonCounter;
  /** The train images decoded once; without it every image is decoded from the shards each epoch (same pixels). */
  cache?: DecodedCache;
}

/**
 * Training batches, epoch after epoch, without end. The order is a function
 * of the seed: each epoch shuffles the shard order, streams the shards
 * through a seeded shuffle buffer, and cuts each image's random resized crop
 * with a generator seeded by (seed, epoch, key). Skipping to `start` reads but does not decode.
 * Incomplete last batches of an epoch are dropped.
 */
export async function* trainBatches(options: TrainLoaderOptions): AsyncGenerator<LoadedBatch> {
  yield* prefetch(unprefetchedTrainBatches(options), options.prefetchBatches ?? 3);
}

async function* unprefetchedTrainBatches(options: TrainLoaderOptions): AsyncGenerator<LoadedBatch> {
  for (let epoch = options.start.epoch; ; epoch++) {
    const skip = epoch === options.start.epoch ? options.start.samplesDrawn : 0;
    const samples = drawEpochSamples(options, epoch, skip);
    let batches = 0;
    for await (const batch of assembleBatches(samples, {
      ...options,
      cropFor: (sample) => new SeededRandom(hashSeed(options.seed, 'crop', epoch, sample.key)),
      positionAfter: (drawn) => ({ epoch, samplesDrawn: drawn }),
    })) {
      batches++;
      yield batch;
    }
    if (batches === 0 && skip === 0) {
      const reasons = options.reasons
        .top(3)
        .map(([reason, count]) => `${reason} ${count}`)
        .join(', ');
      throw new WitError(
        `the train shards hold no usable batch of ${options.batchSize} pairs${reasons ? ` (left out: ${reasons})` : ''}: use a smaller --batch or more data.`,
      );
    }
  }
}

/** A sample on its way to a batch: its image is decoded from the shard, or taken from the decoded cache. */
interface LoaderSample {
  key: string;
  txt: string;
  image: () => Promise<ResizedImage>;
}

interface DrawnSample {
  sample: LoaderSample;
  /** Samples drawn from the epoch's stream up to and including this one. */
  drawn: number;
}

async function* drawEpochSamples(options: TrainLoaderOptions, epoch: number, skip: number): AsyncGenerator<DrawnSample> {
  const shardOrder = new SeededRandom(hashSeed(options.seed, 'shards', epoch)).shuffled(options.shards);
  const shuffled = shuffleBuffered(
    readShards(shardOrder, options),
    options.shuffleBufferSize ?? trainOptions.entries.shuffleBufferSize.default,
    new SeededRandom(hashSeed(options.seed, 'buffer', epoch)),
  );
  let drawn = 0;
  for await (const sample of shuffled) {
    drawn++;
    if (drawn > skip) yield { sample, drawn };
  }
}

async function* readShards(
  shards: readonly ShardFile[],
  options: Pick<TrainLoaderOptions, 'reasons' | 'imageSize' | 'cache'>,
): AsyncGenerator<LoaderSample> {
  const { cache, imageSize, reasons } = options;
  for (const shard of shards) {
    if (cache) {
      for await (const { key, txt, image } of cache.samples(shard.name)) yield { key, txt, image: () => Promise.resolve(image) };
    } else {
      for await (const { key, txt, jpg } of readShardSamples(shard.path, { reasons }))
        yield { key, txt, image: () => decodeResized(jpg, imageSize) };
    }
  }
}

/** Validation batches: shards in name order, centre crops, no shuffling; the last batch may be smaller. */
export async function* validationBatches(
  options: Pick<TrainLoaderOptions, 'shards' | 'vocab' | 'imageSize' | 'batchSize' | 'reasons'>,
): AsyncGenerator<LoadedBatch> {
  async function* inOrder(): AsyncGenerator<DrawnSample> {
    let drawn = 0;
    for await (const sample of readShards(options.shards, options)) yield { sample, drawn: ++drawn };
  }
  yield* prefetch(
    assembleBatches(inOrder(), {
      ...options,
      cropFor: () => 'centre',
      positionAfter: (drawn) => ({ epoch: 0, samplesDrawn: drawn }),
      keepLastPartial: true,
    }),
    2,
  );
}

interface AssembleOptions {
  vocab: Vocabulary;
  imageSize: number;
  batchSize: number;
  reasons: ReasonCounter;
  /** The generator of a sample's random resized crop (training), or its centre crop (validation). */
  cropFor: (sample: LoaderSample) => SeededRandom | 'centre';
  positionAfter: (drawn: number) => DataPosition;
  keepLastPartial?: boolean;
}

interface ReadyPair {
  key: string;
  tokens: Int32Array;
  pixels: Float32Array;
}

/** Groups samples into batches, decoding each batch's images concurrently; pairs that fail are counted and replaced. */
async function* assembleBatches(samples: AsyncIterable<DrawnSample>, options: AssembleOptions): AsyncGenerator<LoadedBatch> {
  const iterator = samples[Symbol.asyncIterator]();
  const pixelsPerImage = options.imageSize * options.imageSize * 3;
  for (;;) {
    const ready: ReadyPair[] = [];
    let drawn = 0;
    let exhausted = false;
    while (ready.length < options.batchSize && !exhausted) {
      const wanted = options.batchSize - ready.length;
      const candidates: DrawnSample[] = [];
      while (candidates.length < wanted) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        candidates.push(next.value);
        drawn = next.value.drawn;
      }
      const decoded = await Promise.all(candidates.map((candidate) => preparePair(candidate.sample, options, pixelsPerImage)));
      for (const pair of decoded) if (pair) ready.push(pair);
    }
    if (ready.length === options.batchSize || (options.keepLastPartial && ready.length > 0))
      yield toBatch(ready, pixelsPerImage, options.positionAfter(drawn));
    if (exhausted) return;
  }
}

async function preparePair(sample: LoaderSample, options: AssembleOptions, pixelsPerImage: number): Promise<ReadyPair | undefined> {
  const tokens = options.vocab.encode(sample.txt);
  if (tokens.length === 0) return void options.reasons.add('no_known_words');
  let image: ResizedImage;
  try {
    image = await sample.image();
  } catch {
    return void options.reasons.add('image_decode_failed');
  }
  const pixels = new Float32Array(pixelsPerImage);
  const crop = options.cropFor(sample);
  if (crop === 'centre') centreCropNormalised(image, options.imageSize, pixels);
  else randomResizedCrop(image, options.imageSize, crop, pixels);
  return { key: sample.key, tokens, pixels };
}

function toBatch(pairs: readonly ReadyPair[], pixelsPerImage: number, after: DataPosition): LoadedBatch {
  const images = new Float32Array(pairs.length * pixelsPerImage);
  pairs.forEach((pair, i) => images.set(pair.pixels, i * pixelsPerImage));
  const { tokenIds, offsets } = packTokenLists(pairs.map((pair) => pair.tokens));
  return { images, tokenIds, offsets, size: pairs.length, keys: pairs.map((pair) => pair.key), after };
}
