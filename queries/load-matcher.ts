import { iterateQueryTexts, type WitDb } from '../db/index.js';
import { QueryMatcher } from './matcher.js';

/** A matcher over every row of the `queries` table. */
export function loadMatcher(db: WitDb): QueryMatcher {
  return QueryMatcher.build(iterateQueryTexts(db));
}
