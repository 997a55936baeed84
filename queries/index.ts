export { normalizeText, tokenize } from './normalize.js';
export { QueryMatcher, type MatcherQuery } from './matcher.js';
export { loadMatcher } from './load-matcher.js';
export { buildQueries, checkBuildInputs, type BuildQueriesOptions, type BuildQueriesResult } from './build.js';
export { exportQueries, importQueries, type ImportQueriesResult } from './import-export.js';
export { readWordnetGlosses, readWordnetLemmas } from './wordnet.js';
export { countCorpora, type CorpusCounts, type RankedBigram, type RankedTerm } from './corpus-counts.js';
export { formatBuildSummary } from './summary.js';
