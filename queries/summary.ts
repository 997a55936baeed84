import { queryOrigins } from '../db/index.js';
import type { BuildQueriesResult } from './build.js';

/** The end-of-run table of `wit queries build`: candidates and new rows per origin. */
export function formatBuildSummary(result: BuildQueriesResult): string {
  const lines = ['origin    candidates       added'];
  for (const origin of queryOrigins) {
    lines.push(`${origin.padEnd(8)} ${format(result.candidates[origin]).padStart(11)} ${format(result.added[origin]).padStart(11)}`);
  }
  const addedAll = queryOrigins.reduce((sum, origin) => sum + result.added[origin], 0);
  lines.push(`added ${format(addedAll)} queries; the table now holds ${format(result.total)}.`);
  if (result.corpus) {
    const c = result.corpus;
    lines.push(
      `corpus: ${format(c.bytes / 1e6)} MB, ${format(c.lines)} lines, ${format(c.tokens)} words; ` +
        `${format(c.trackedUnigrams)} words and ${format(c.trackedBigrams)} bigrams tracked`,
    );
    if (c.undercountBound > 0) {
      lines.push(
        `memory caps pruned rare terms: counts may be low by up to ${format(c.undercountBound)} (raise --max-tracked-unigrams/--max-tracked-bigrams to tighten)`,
      );
    }
  }
  if (result.malformedTitleLines > 0)
    lines.push(`titles: ${format(result.malformedTitleLines)} lines were not title<TAB>views and were skipped`);
  if (result.limitReached) lines.push('--limit reached: later candidates were left out.');
  return lines.join('\n');
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
