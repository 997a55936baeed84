import type { CurationCandidate } from '../db/index.js';
import { BlockedHosts, BlockedWords } from './block-lists.js';
import { captionDropReason, cleanCaption } from './caption-checks.js';
import type { LanguageCheck } from './language-filter.js';
import type { ResolvedCurateOptions } from './options.js';

/** Drop reasons of the per-pair filters, in the order they are checked. */
export const filterReasons = [
  'image_not_fetched',
  'caption_placeholder',
  'caption_too_short',
  'caption_too_long',
  'blocked_word',
  'language',
  'image_too_small',
  'aspect_ratio',
  'blocked_host',
] as const;
export type FilterReason = (typeof filterReasons)[number];

/** What the filters need besides the options: the block lists and the language check, loaded once. */
export interface PairFilters {
  blockedWords: BlockedWords;
  blockedHosts: BlockedHosts;
  /** Absent: no language filter. */
  languageCheck?: LanguageCheck;
}

export function makePairFilters(options: ResolvedCurateOptions, languageCheck?: LanguageCheck): PairFilters {
  return { blockedWords: new BlockedWords(options.blockWords), blockedHosts: new BlockedHosts(options.blockHosts), languageCheck };
}

/**
 * The first filter a pair fails, checked in `filterReasons` order, or
 * undefined when it passes them all. `normalized` is its caption's
 * `normalizeText`, computed by the caller once and reused by dedupe.
 */
export function filterDropReason(
  pair: CurationCandidate,
  normalized: string,
  options: ResolvedCurateOptions,
  filters: PairFilters,
): FilterReason | undefined {
  if (pair.imageState !== 'ok' || !pair.sha256 || !pair.path) return 'image_not_fetched';
  const caption = cleanCaption(pair.text);
  const captionReason = captionDropReason(caption, normalized, options.maxCaptionWords);
  if (captionReason) return captionReason;
  if (filters.blockedWords.size > 0 && filters.blockedWords.matches(normalized)) return 'blocked_word';
  if (filters.languageCheck && !filters.languageCheck(caption)) return 'language';
  const shorter = Math.min(pair.width ?? 0, pair.height ?? 0);
  if (shorter < options.minSidePixels) return 'image_too_small';
  if (Math.max(pair.width ?? 0, pair.height ?? 0) > options.maxAspectRatio * shorter) return 'aspect_ratio';
  if (
    filters.blockedHosts.size > 0 &&
    (filters.blockedHosts.matches(pair.imageHost ?? BlockedHosts.hostOf(pair.imageUrl)) ||
      filters.blockedHosts.matches(BlockedHosts.hostOf(pair.pageUrl)))
  ) {
    return 'blocked_host';
  }
  return undefined;
}
