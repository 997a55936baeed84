import { CappedCounter } from './capped-counter.js';
import { tokenize } from './normalize.js';
import { readTextLines, textFileBytes } from './text-lines.js';

export interface CorpusCountOptions {
  /** Most distinct words held while counting; see `CappedCounter`. */
  maxTrackedUnigrams: number;
  /** Most distinct bigrams held while counting; see `CappedCounter`. */
  maxTrackedBigrams: number;
  /** Called with the bytes read so far over all files. */
  onBytesRead?: (bytes: number) => void;
}

/** Word and adjacent-word-pair counts of one or more corpora. */
export interface CorpusCounts {
  unigrams: CappedCounter;
  bigrams: CappedCounter;
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
  const counts: CorpusCounts = {
    unigrams: new CappedCounter(options.maxTrackedUnigrams),
    bigrams: new CappedCounter(options.maxTrackedBigrams),
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
  let previous: string | undefined;
  for (const word of words) {
    counts.unigrams.add(word);
    if (previous !== undefined) counts.bigrams.add(`${previous} ${word}`);
    previous = word;
  }
}

export interface RankedTerm {
  text: string;
  count: number;
}

/** Words counted at least `minCount` times, the most frequent first. */
export function frequentUnigrams(counts: CorpusCounts, minCount: number): RankedTerm[] {
  const terms: RankedTerm[] = [];
  for (const [text, count] of counts.unigrams.counts) if (count >= minCount) terms.push({ text, count });
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
  for (const [text, count] of counts.bigrams.counts) {
    if (count < minCount) continue;
    const pmi = bigramPmi(counts, text, count);
    if (pmi >= minPmi) ranked.push({ text, count, pmi });
  }
  return ranked.sort((a, b) => b.pmi - a.pmi || b.count - a.count || compareText(a.text, b.text));
}

/**
 * Pointwise mutual information as the ratio p(a b) / (p(a) p(b)) =
 * c(a b) N / (c(a) c(b)), N the number of words read, not its logarithm:
 * MetaCLIP's threshold "PMI >= 30" only makes sense on this scale (a log of 30
 * would need a ratio of 10^13, more than any corpus has words). 0 when a word's
 * count was pruned away.
 */
export function bigramPmi(counts: CorpusCounts, bigram: string, bigramCount = counts.bigrams.get(bigram)): number {
  const space = bigram.indexOf(' ');
  const first = counts.unigrams.get(bigram.slice(0, space));
  const second = counts.unigrams.get(bigram.slice(space + 1));
  if (first === 0 || second === 0) return 0;
  return (bigramCount * counts.tokens) / (first * second);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
