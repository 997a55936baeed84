import { normalizeText } from '../queries/index.js';

/** Why a caption is unusable, or undefined when it passes. */
export type CaptionDropReason = 'caption_placeholder' | 'caption_too_short' | 'caption_too_long';

/** DataComp's "basic" floor: at least 2 words and 5 characters. */
export const minCaptionWords = 2;
export const minCaptionChars = 5;

/**
 * Normalized captions that say nothing about the image: alt-text defaults,
 * link text and CMS placeholders seen in web crawls.
 */
const placeholderCaptions = new Set([
  'image',
  'images',
  'photo',
  'photos',
  'picture',
  'pic',
  'img',
  'logo',
  'icon',
  'banner',
  'thumbnail',
  'thumb',
  'untitled',
  'untitled image',
  'click here',
  'click to enlarge',
  'click to zoom',
  'placeholder',
  'default',
  'spacer',
  'blank',
  'null',
  'undefined',
  'n a',
  'none',
  'alt',
  'alt text',
  'image description',
  'no image',
  'no photo',
  'image not found',
  'image not available',
  'loading',
  'avatar',
  'profile picture',
  'screenshot',
  'graphic',
  'advertisement',
  'read more',
  'see more',
  'view image',
  'enlarge',
  'featured image',
  'main image',
  'product image',
]);

/** "img 1234", "dsc01234", "photo 12", "figure 3": camera and CMS file stems, as normalized text. */
const numberedStem = /^(?:img|dsc|dscn|dcim|pict|pxl|image|photo|picture|pic|figure|fig|screenshot|slide|file|untitled)\s?\d+(?: \d+)*$/;
const fileName = /\.(?:jpe?g|png|gif|webp|bmp|svg|tiff?|heic|avif|ico)$/i;
const urlLike = /^(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S*$/i;
const onlyNumbers = /^\d+(?: \d+)*$/;

/** The caption as written to `<key>.txt`: whitespace runs collapsed to one space, trimmed. */
export function cleanCaption(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Checks a caption in a fixed order: placeholder (file name, URL, numbers
 * only, a known placeholder), then at least 2 words and 5 characters, then at
 * most `maxWords` words. Words are `tokenize`'s.
 */
export function captionDropReason(caption: string, normalized: string, maxWords: number): CaptionDropReason | undefined {
  if (isPlaceholderCaption(caption, normalized)) return 'caption_placeholder';
  const words = normalized === '' ? 0 : countSpaces(normalized) + 1;
  if (words < minCaptionWords || caption.length < minCaptionChars) return 'caption_too_short';
  if (words > maxWords) return 'caption_too_long';
  return undefined;
}

/** True for captions that are a file name, a URL, only numbers, or a known placeholder. */
export function isPlaceholderCaption(caption: string, normalized = normalizeText(caption)): boolean {
  return (
    fileName.test(caption) ||
    urlLike.test(caption) ||
    onlyNumbers.test(normalized) ||
    placeholderCaptions.has(normalized) ||
    numberedStem.test(normalized)
  );
}

function countSpaces(text: string): number {
  let count = 0;
  for (let i = text.indexOf(' '); i !== -1; i = text.indexOf(' ', i + 1)) count += 1;
  return count;
}
