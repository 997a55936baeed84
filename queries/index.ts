export { normalizeForTokens, normalizeText, tokenize } from './normalize.js';
