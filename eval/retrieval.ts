import { resolve } from 'node:path';
import { resolveOptions, WitError, type GivenOptions, type ProgressSink, type ResolvedOptions } from '../core/index.js';
import { countSamples, listShards, readShardSamples, type ShardFile } from '../webdataset/index.js';
import { ImageEmbedder, type SkippedImage } from './embed-images.js';
import type { EvalModel } from './eval-model.js';
import { appendEvalRecord, writeRetrievalExamplesFile, type RetrievalRecord } from './evals-log.js';
import { withEvalModel } from './open-eval-model.js';
import { retrievalOptions } from './options.js';
import { retrievalRecall, type RecallAtK } from './recall.js';
import { retrievalExamples } from './retrieval-examples.js';
import { tensorScoreRows } from './tensor-scores.js';

/** The declared options (options.ts, the stage's own) and the hooks. */
export interface RetrievalOptions extends GivenOptions<typeof retrievalOptions.entries> {
  runDir: string;
  shardsDir: string;
  /**
   * The command line recorded in `evals.jsonl`.
   * @default the equivalent `wit eval retrieval` command
   */
  command?: string;
  onProgress?: ProgressSink;
}

export interface RetrievalResult {
  record: RetrievalRecord;
  skipped: SkippedImage[];
}

const textBatchSize = 1024;

/**
 * Image→text and text→image recall@1/5/10 over every pair of a shard split:
 * each image is ranked against all captions of the split (and each caption
 * against all images), as the CLIP paper's Flickr/COCO retrieval numbers are.
 * A few captions with their best images go to a file beside, for the report.
 */
export async function evaluateRetrieval(given: RetrievalOptions): Promise<RetrievalResult> {
  const options = { ...given, ...resolveOptions(retrievalOptions, given) };
  const shards = await listShards(options.shardsDir, options.split);
  return withEvalModel(options.runDir, options, (model) => runRetrieval(model, shards, options));
}

async function runRetrieval(
  model: EvalModel,
  shards: ShardFile[],
  options: RetrievalOptions & ResolvedOptions<typeof retrievalOptions.entries>,
): Promise<RetrievalResult> {
  const { split } = options;
  const total = await countSamples(shards);
  const embedder = new ImageEmbedder(
    model,
    options.batchSize,
    options.onProgress && ((update) => options.onProgress!({ ...update, total })),
  );
  const captions: string[] = [];
  const samples: string[] = [];
  for (const shard of shards) {
    for await (const sample of readShardSamples(shard.path)) {
      captions.push(sample.txt);
      samples.push(`${shard.name}:${sample.key}`);
      await embedder.add(sample.jpg, samples.at(-1)!);
    }
  }
  const images = await embedder.finish();
  if (images.kept.length === 0) {
    throw new WitError(
      `the ${split} shards in ${options.shardsDir} hold no pair whose image decodes; rebuild them with \`wit shards build\`.`,
    );
  }
  const keptCaptions = images.kept.map((index) => captions[index]!);
  const texts = await embedTextsInBatches(model, keptCaptions);
  const time = new Date().toISOString();
  const examples = retrievalExamples({
    images: images.embeddings,
    texts,
    samples: images.kept.map((index) => samples[index]!),
    captions: keptCaptions,
  });
  const record: RetrievalRecord = {
    kind: 'retrieval',
    time,
    command: options.command ?? `wit eval retrieval --run ${options.runDir} --shards ${options.shardsDir} --split ${split}`,
    data: options.shardsDir,
    skipped: images.skipped.length,
    figures: { split, pairs: images.kept.length, recall: rankPairs(images.embeddings, texts, images.kept.length) },
    files: { examples: writeRetrievalExamplesFile(options.runDir, { time, shardsDir: resolve(options.shardsDir), split, examples }) },
  };
  appendEvalRecord(options.runDir, record);
  return { record, skipped: images.skipped };
}

function rankPairs(images: Float32Array, texts: Float32Array, count: number): RecallAtK[] {
  const scores = tensorScoreRows(images, texts, count);
  try {
    return retrievalRecall(images, texts, count, { scoreRows: scores.scoreRows });
  } finally {
    scores.dispose();
  }
}

async function embedTextsInBatches(model: EvalModel, texts: readonly string[]): Promise<Float32Array> {
  const chunks: Float32Array[] = [];
  for (let first = 0; first < texts.length; first += textBatchSize)
    chunks.push(await model.embedTexts(texts.slice(first, first + textBatchSize)));
  const out = new Float32Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
