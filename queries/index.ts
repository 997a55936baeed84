export { normalizeForTokens, normalizeText, tokenize } from './normalize.js';
export { QueryMatcher, type MatcherQuery } from './matcher.js';
export { loadMatcher } from './load-matcher.js';
