/**
 * What evaluation needs of a trained model: embeddings of images and texts
 * in one space, the temperature, and which words it knows. `openEvalModel`
 * makes one from a run folder; tests can hand in their own.
 */
export interface EvalModel {
  /** Side of the square images the image encoder takes. */
  readonly imageSize: number;
  /** `count` CLIP-normalised HWC images (`count·S·S·3` floats) to `count × dim` unit rows. */
  embedImages(images: Float32Array, count: number): Promise<Float32Array>;
  /** Texts to `count × dim` unit rows (a text with no known word gives zeros). */
  embedTexts(texts: readonly string[]): Promise<Float32Array>;
  /** The words of `text` that are in the vocabulary (the rest are dropped before embedding). */
  knownWords(text: string): string[];
  /** exp(t): the learned logit scale. */
  logitScale(): number;
  /** Frees the backend's memory and worker threads. */
  dispose(): Promise<void>;
}
