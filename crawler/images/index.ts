export { computePhash } from './compute-phash.js';
export { hammingDistance } from './phash.js';
export { ImageFailure, type ImageFailureReason } from './image-failure.js';
export { processImage, processImageDefaults, type ProcessImageOptions, type ProcessedImage } from './process-image.js';
