export { evaluateZeroShot, type ZeroShotOptions, type ZeroShotResult } from './zero-shot.js';
export { evaluateRetrieval, type RetrievalOptions, type RetrievalResult } from './retrieval.js';
export { evaluateLinearProbe, type LinearProbeOptions, type LinearProbeResult } from './linear-probe.js';
export { classifyImages, type ClassifyOptions, type ClassifyResult, type ImageLabels } from './classify.js';
export type { EvalModel } from './eval-model.js';
export type { SkippedImage } from './embed-images.js';
export type {
  ConfusionFile,
  EvalRecord,
  LinearProbeFigures,
  LinearProbeRecord,
  RetrievalExamplesFile,
  RetrievalFigures,
  RetrievalRecord,
  ZeroShotFigures,
  ZeroShotRecord,
} from './evals-log.js';
export { plainScoreRows, type RecallAtK, type RetrievalRecallOptions, type ScoreRows } from './recall.js';
export type { ZeroShotExample } from './zero-shot-examples.js';
export { retrievalExamples, type RankedPairs, type RetrievalExample } from './retrieval-examples.js';
export type { ZeroShotClassifier } from './zero-shot-classifier.js';
export { classificationMetrics, classPrompts, ensembleClassEmbeddings, type ClassificationMetrics } from './zero-shot-math.js';
export type { LabelledFeatures, LogisticModel } from './logistic-regression.js';
export type { LinearProbeFit, LinearProbeFitOptions } from './linear-probe-fit.js';
export type { LabelledImageSource, LabelledImages } from './labelled-images.js';
export { defaultTemplates, readTemplates, labelsFromList, labelsFromFile } from './prompts.js';
export { formatClassification, formatLinearProbe, formatRetrieval, formatSkipped, formatZeroShot } from './format.js';
