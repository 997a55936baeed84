import { tokenize } from './normalize.js';
import { PairCounter } from './pair-counter.js';
import { readTextLines, textFileBytes } from './text-lines.js';
import { WordCounter } from './word-counter.js';

export interface CorpusCountOptions {
  /** Most distinct words held while counting; see `WordCounter`. */
  maxTrackedUnigrams: number;
  /** Most distinct bigrams held while counting; see `PairCounter`. */
  maxTrackedBigrams: number;
  /** Called with the bytes read so far over all files. */
  onBytesRead?: (bytes: number) => void;
}

/** Word and adjacent-word-pair counts of one or more corpora. */
export interface CorpusCounts {
  words: WordCounter;
  /** Bigrams as pairs of `words` ids. */
  pairs: PairCounter;
  /** Words read (the N of the PMI). */
  tokens: number;
  lines: number;
  bytes: number;
}

/**
 * Streams each corpus once, counting words and pairs of adjacent words within
 * a line. Memory is bounded by the two caps, whatever the corpus size.
 */
export async function countCorpora(paths: readonly string[], options: CorpusCountOptions): Promise<CorpusCounts> {
  const pairs = new PairCounter(options.maxTrackedBigrams);
  const counts: CorpusCounts = {
    words: new WordCounter(options.maxTrackedUnigrams, (dropped, floor) => pairs.dropWords(dropped, floor)),
    pairs,
    tokens: 0,
    lines: 0,
    bytes: 0,
  };
  for (const path of paths) {
    const before = counts.bytes;
    const onBytesRead = (bytes: number) => options.onBytesRead?.(before + bytes);
    for await (const lines of readTextLines(path, { role: 'Corpus file', onBytesRead })) {
      for (const line of lines) countLine(counts, line);
    }
    counts.bytes = before + textFileBytes(path, 'Corpus file');
  }
  return counts;
}

function countLine(counts: CorpusCounts, line: string): void {
  const words = tokenize(line);
  counts.lines++;
  counts.tokens += words.length;
  let previousWord = '';
  let previous = -1;
  for (const word of words) {
    const prunes = counts.words.prunes;
    const id = counts.words.add(word);
    // A prune inside add() may have dropped the previous word, and its id may now be this word's.
    if (previous !== -1 && (counts.words.prunes === prunes || counts.words.idOf(previousWord) === previous)) counts.pairs.add(previous, id);
    previousWord = word;
    previous = id;
  }
}

export interface RankedTerm {
  text: string;
  count: number;
}

/** Words counted at least `minCount` times, the most frequent first. */
export function frequentUnigrams(counts: CorpusCounts, minCount: number): RankedTerm[] {
  const terms: RankedTerm[] = [];
  for (const [text, count] of counts.words.entries()) if (count >= minCount) terms.push({ text, count });
  return terms.sort((a, b) => b.count - a.count || compareText(a.text, b.text));
}

export interface RankedBigram extends RankedTerm {
  /** p(a b) / (p(a) p(b)); see `bigramPmi`. */
  pmi: number;
}

/**
 * Bigrams counted at least `minCount` times with PMI at least `minPmi`, the
 * highest PMI first (ties: the more frequent first).
 */
export function highPmiBigrams(counts: CorpusCounts, minCount: number, minPmi: number): RankedBigram[] {
  const ranked: RankedBigram[] = [];
  const { words, tokens } = counts;
  for (const [first, second, count] of counts.pairs.entries()) {
    if (count < minCount) continue;
    const pmi = (count * tokens) / (words.countOf(first) * words.countOf(second));
    if (pmi >= minPmi) ranked.push({ text: `${words.wordOf(first)} ${words.wordOf(second)}`, count, pmi });
  }
  return ranked.sort((a, b) => b.pmi - a.pmi || b.count - a.count || compareText(a.text, b.text));
}

/**
 * Pointwise mutual information as the ratio p(a b) / (p(a) p(b)) =
 * c(a b) N / (c(a) c(b)), N the number of words read, not its logarithm:
 * MetaCLIP's threshold "PMI >= 30" only makes sense on this scale (a log of 30
 * would need a ratio of 10^13, more than any corpus has words). 0 for a
 * bigram not held.
 */
export function bigramPmi(counts: CorpusCounts, bigram: string): number {
  const space = bigram.indexOf(' ');
  const first = counts.words.idOf(bigram.slice(0, space));
  const second = counts.words.idOf(bigram.slice(space + 1));
  if (first === undefined || second === undefined) return 0;
  const count = counts.pairs.get(first, second);
  return count === 0 ? 0 : (count * counts.tokens) / (counts.words.countOf(first) * counts.words.countOf(second));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
