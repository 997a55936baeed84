/**
 * Why an image was refused by validation. Stored as `images.error`; none of
 * these is worth retrying with the same bytes.
 */
export type ImageFailureReason = 'empty' | 'not_image' | 'svg_refused' | 'too_many_pixels' | 'too_small' | 'decode_error';

/** Thrown by `processImage` for bytes that are not a usable image. */
export class ImageFailure extends Error {
  readonly retryable = false;

  constructor(
    readonly reason: ImageFailureReason,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'ImageFailure';
  }
}
