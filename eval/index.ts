export { evaluateZeroShot, type ZeroShotOptions, type ZeroShotResult } from './zero-shot.js';
export { evaluateRetrieval, type RetrievalOptions, type RetrievalResult } from './retrieval.js';
export { evaluateLinearProbe, type LinearProbeOptions, type LinearProbeResult } from './linear-probe.js';
export { classifyImages, type ClassifyOptions, type ClassifyResult, type ImageLabels } from './classify.js';
export { openEvalModel } from './open-eval-model.js';
export type { EvalModel } from './eval-model.js';
export type { SkippedImage } from './embed-images.js';
export {
  evalsFileName,
  readEvalRecords,
  type ConfusionFile,
  type EvalRecord,
  type LinearProbeFigures,
  type LinearProbeRecord,
  type RetrievalExamplesFile,
  type RetrievalFigures,
  type RetrievalRecord,
  type ZeroShotFigures,
  type ZeroShotRecord,
} from './evals-log.js';
export { retrievalRecall, plainScoreRows, type RecallAtK, type RetrievalRecallOptions, type ScoreRows } from './recall.js';
export { tensorScoreRows } from './tensor-scores.js';
export type { ZeroShotExample } from './zero-shot-examples.js';
export { retrievalExamples, type RankedPairs, type RetrievalExample } from './retrieval-examples.js';
export { buildZeroShotClassifier, type ZeroShotClassifier } from './zero-shot-classifier.js';
export { classificationMetrics, classPrompts, ensembleClassEmbeddings, softmaxRows, type ClassificationMetrics } from './zero-shot-math.js';
export { fitLogisticRegression, logisticScores, type LabelledFeatures, type LogisticModel } from './logistic-regression.js';
export { fitLinearProbe, type LinearProbeFit, type LinearProbeFitOptions } from './linear-probe-fit.js';
export { loadLabelledImages, type LabelledImageSource, type LabelledImages } from './labelled-images.js';
export { defaultTemplates, readTemplates, labelsFromList, labelsFromFile } from './prompts.js';
export { formatClassification, formatLinearProbe, formatRetrieval, formatSkipped, formatZeroShot } from './format.js';
