/**
 * The one tokenizer of wit, shared by the query builder, the matcher and the
 * trainer's vocabulary, so that a query, a caption and a model input agree on
 * what a word is:
 *
 * 1. Unicode NFKC (full-width letters, ligatures and the like fold to plain ones);
 * 2. lower case (locale-independent);
 * 3. a word is a maximal run of Unicode letters, marks and digits; an apostrophe
 *    (' or ’) between two such characters stays inside the word ("new york's"),
 *    and ’ becomes '. Everything else separates words.
 */
export function tokenize(text: string): string[] {
  return normalizeForTokens(text).match(wordPattern) ?? [];
}

/** The tokens joined by single spaces: the canonical form of a query. */
export function normalizeText(text: string): string {
  return tokenize(text).join(' ');
}

/** Steps 1 and 2 of `tokenize`, for scanners that find words themselves. */
export function normalizeForTokens(text: string): string {
  // NFKC leaves ASCII as it is, and most captions are ASCII: skip the ICU call for them.
  if (asciiOnly.test(text)) return text.toLowerCase();
  return text.normalize('NFKC').toLowerCase().replaceAll('’', "'");
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included, is the point
const asciiOnly = /^[\x00-\x7f]*$/;

const wordPattern = /[\p{L}\p{M}\p{N}]+(?:'[\p{L}\p{M}\p{N}]+)*/gu;
