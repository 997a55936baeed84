import { choice, decimal, optionTable, path, paths, wholeNumber, yesNo } from '../core/index.js';
import type { QueryOrigin } from '../db/index.js';

// Every option of `wit queries`, declared once: the library's defaults and
// checks, the flags and their --help come from here.

/** The origins a query may have (db's `queryOrigins`), listed here so that the CLI starts without loading SQLite. */
const origins = ['unigram', 'bigram', 'title', 'wordnet', 'user'] as const satisfies readonly QueryOrigin[];

export const buildQueriesOptions = optionTable('BuildQueriesOptions', {
  /** Text corpora, plain or gzip, one document or sentence per line (a Wikipedia text dump is the intended one). */
  corpusPaths: paths({ flag: 'corpus', default: [], describe: 'Text corpus, plain or .gz, one document a line (repeatable)' }),
  /** A corpus word becomes a query when counted at least this often. */
  minCount: wholeNumber({ flag: 'min-count', least: 1, default: 100, describe: 'Keep corpus words counted at least this often' }),
  /** A corpus bigram becomes a query when its PMI, as p(a b) / (p(a) p(b)), is at least this. */
  bigramPmi: decimal({
    flag: 'bigram-pmi',
    least: 0,
    default: 30,
    describe: 'Keep bigrams with PMI, as p(a b)/(p(a)p(b)), at least this',
  }),
  /** ... and when counted at least this often; unset: `minCount`. */
  bigramMinCount: wholeNumber({
    flag: 'bigram-min-count',
    least: 1,
    defaultText: '--min-count',
    describe: 'Keep bigrams counted at least this often',
  }),
  /** A `title<TAB>views` file (e.g. aggregated Wikipedia page views). */
  titlesPath: path({ flag: 'titles', describe: 'title<TAB>views file (e.g. Wikipedia page views)' }),
  /** A title becomes a query with at least this many views. */
  minViews: wholeNumber({ flag: 'min-views', least: 0, default: 70, describe: 'With --titles: keep titles with at least this many views' }),
  /** Add every lemma of every WordNet 3.1 synset. */
  wordnet: yesNo({ flag: 'wordnet', default: false, describe: 'Add every lemma of every WordNet 3.1 synset' }),
  /** Files of user queries, one a line (origin `user`). */
  extraPaths: paths({ flag: 'extra', default: [], describe: 'File of your own queries, one a line (repeatable)' }),
  /** The table holds at most this many queries after the build; new ones fill the room in origin order. Unset: no limit. */
  limit: wholeNumber({
    flag: 'limit',
    least: 1,
    defaultText: 'no limit',
    describe: 'The table holds at most this many queries after the build',
  }),
  /** Most distinct words held in memory while counting corpora (about 100 bytes each); the rarest are pruned when full, see `WordCounter`. */
  maxTrackedUnigrams: wholeNumber({
    flag: 'max-tracked-unigrams',
    least: 1,
    default: 2_000_000,
    describe: 'Distinct words held while counting (~100 B each); rarer ones are pruned when full',
  }),
  /** Most distinct bigrams held while counting (12-byte slots, at most 16 bytes a bigram at the cap); the rarest are pruned when full, see `PairCounter`. */
  maxTrackedBigrams: wholeNumber({
    flag: 'max-tracked-bigrams',
    least: 1,
    default: 12_000_000,
    describe: 'Distinct bigrams held while counting (<= 16 B each); rarer ones are pruned when full',
  }),
});

export const exportQueriesOptions = optionTable('ExportQueriesOptions', {
  /** Only queries of this origin; unset: all. */
  origin: choice({ flag: 'origin', choices: origins, describe: 'Only queries of this origin' }),
});
