export { computePhash } from './compute-phash.js';
export type { ImageFailureReason } from './image-failure.js';
export { processImage, type ProcessImageOptions, type ProcessedImage } from './process-image.js';
export { ImageStore } from './image-store.js';
export { checkImages, formatCheckImagesReport, type CheckImagesOptions, type CheckImagesReport } from './check-images.js';
export { fetchImages, formatFetchSummary, type FetchImagesOptions, type FetchImagesSummary } from './fetch-images.js';
export { crawlAndFetchProgress, fetchWhileCrawling } from './fetch-while-crawling.js';
