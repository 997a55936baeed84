/**
 * Characters a caption may hold when it is stored. CLIP reads 77 tokens of a
 * caption; an alt of thousands of characters is a page's text pasted into an
 * attribute, not a description of the image, and is dropped at crawl time.
 */
export const maxCaptionChars = 1000;

/** The pairs whose caption fits `maxCaptionChars`, and how many did not. */
export function boundCaptions<T extends { text: string }>(pairs: readonly T[]): { kept: T[]; tooLong: number } {
  const kept = pairs.filter((pair) => pair.text.length <= maxCaptionChars);
  return { kept, tooLong: pairs.length - kept.length };
}
