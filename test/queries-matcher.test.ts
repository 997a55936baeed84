import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../db/index.js';
import { loadMatcher, QueryMatcher, readWordnetGlosses, readWordnetLemmas, tokenize } from '../queries/index.js';
import { WordIds } from '../queries/word-ids.js';
import { tempDir } from './fixtures/temp-dir.js';

function matcherOf(...texts: string[]): QueryMatcher {
  return QueryMatcher.build(texts.map((text, index) => ({ id: index + 1, text })));
}

function textsFound(matcher: QueryMatcher, texts: string[], caption: string): string[] {
  return matcher
    .match(caption)
    .map((id) => texts[id - 1]!)
    .sort();
}

describe('QueryMatcher', () => {
  const texts = ['cat', 'new york', 'york', 'hot dog', 'dog', 'new york city', 'café', 'ice cream cone'];
  const matcher = matcherOf(...texts);

  it('matches whole words only', () => {
    expect(matcher.match('concatenate the catalogue; a dogma')).toEqual([]);
    expect(textsFound(matcher, texts, 'A cat, concatenated.')).toEqual(['cat']);
  });

  it('finds a phrase before a possessive ending', () => {
    expect(textsFound(matcher, texts, "New York's skyline at night")).toEqual(['new york', 'york']);
    expect(textsFound(matcher, texts, "the dog's bowl")).toEqual(['dog']);
  });

  it('returns every overlapping and nested query, each id once', () => {
    const found = textsFound(matcher, texts, 'New York City hot dog, and another hot dog in New York');
    expect(found).toEqual(['dog', 'hot dog', 'new york', 'new york city', 'york']);
    expect(new Set(matcher.match('dog dog dog')).size).toBe(1);
  });

  it('normalizes captions like tokenize(): case, NFKC, punctuation, curly apostrophes', () => {
    expect(textsFound(matcher, texts, 'ＮＥＷ　ＹＯＲＫ')).toEqual(['new york', 'york']);
    expect(textsFound(matcher, texts, 'HOT-DOG!!')).toEqual(['dog', 'hot dog']);
    expect(textsFound(matcher, texts, 'New York’s finest')).toEqual(['new york', 'york']);
    expect(textsFound(matcher, texts, 'Café au lait')).toEqual(['café']);
    expect(textsFound(matcher, texts, 'cafe')).toEqual([]);
  });

  it('handles Unicode captions: accents, CJK, emoji, astral letters', () => {
    const unicode = ['東京', 'straße', '𝒜𝒷', 'naïve art', 'добрый день'];
    const m = matcherOf(...unicode);
    expect(textsFound(m, unicode, '🗼 東京 🗼 at dawn')).toEqual(['東京']);
    expect(textsFound(m, unicode, 'Die STRASSE ist keine Straße.')).toEqual(['straße']);
    expect(textsFound(m, unicode, 'Naïve Art, добрый день!')).toEqual(['naïve art', 'добрый день']);
    expect(textsFound(m, unicode, 'naive art')).toEqual([]);
    expect(m.match('\u{1F600}\u{1F600} \uD800 lone surrogate')).toEqual([]);
  });

  it('handles empty and huge captions', () => {
    expect(matcher.match('')).toEqual([]);
    expect(matcher.match(' \n\t ...')).toEqual([]);
    const huge = `${'lorem ipsum '.repeat(400_000)}ice cream cone${' dolor'.repeat(200_000)}`;
    expect(huge.length).toBeGreaterThan(5_000_000);
    expect(textsFound(matcher, texts, huge)).toEqual(['ice cream cone']);
  });

  it('skips queries with no words and reports its size', () => {
    const m = QueryMatcher.build([
      { id: 10, text: '!!!' },
      { id: 11, text: 'Dog' },
      { id: 12, text: '' },
    ]);
    expect(m.size).toBe(1);
    expect(m.match('a DOG')).toEqual([11]);
    expect(QueryMatcher.build([]).match('anything')).toEqual([]);
  });

  it('agrees with a naive per-query scan on random phrases over a small alphabet', () => {
    const words = ['a', 'b', 'c', 'ab', 'new', 'york'];
    let seed = 12345;
    const pick = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const queries = [
        ...new Set(Array.from({ length: 1 + pick(10) }, () => Array.from({ length: 1 + pick(4) }, () => words[pick(6)]).join(' '))),
      ];
      const m = matcherOf(...queries);
      for (let k = 0; k < 10; k++) {
        const caption = Array.from({ length: pick(14) }, () => words[pick(6)]).join(pick(2) ? ' ' : ', ');
        const padded = ` ${tokenize(caption).join(' ')} `;
        const expected = queries.filter((q) => padded.includes(` ${q} `)).sort();
        expect(textsFound(m, queries, caption), `${JSON.stringify(queries)} in "${caption}"`).toEqual(expected);
      }
    }
  });

  it('finds WordNet lemmas in WordNet glosses like a naive scan does', () => {
    const lemmas = readWordnetLemmas();
    const queries = lemmas.filter((_, index) => index % 30 === 0);
    expect(queries.filter((q) => q.includes(' ')).length).toBeGreaterThan(1000);
    const m = matcherOf(...queries);
    const captions = readWordnetGlosses().filter((_, index) => index % 1999 === 0);
    for (const caption of captions) {
      if (/'s\b/i.test(caption)) continue;
      const padded = ` ${tokenize(caption).join(' ')} `;
      const expected = queries.filter((q) => padded.includes(` ${q} `)).sort();
      expect(textsFound(m, queries, caption)).toEqual(expected);
    }
    expect(m.size).toBe(queries.length);
  });

  it('loads every row of the queries table', () => {
    const db = openDb(join(tempDir(), 'wit.db'));
    const insert = db.prepare('INSERT INTO queries (text, origin) VALUES (?, ?)');
    const dogId = Number(insert.run('dog', 'wordnet').lastInsertRowid);
    const retrieverId = Number(insert.run('golden retriever', 'user').lastInsertRowid);
    const m = loadMatcher(db);
    expect(m.size).toBe(2);
    expect(m.match('A Golden Retriever is a dog.').sort()).toEqual([dogId, retrieverId].sort());
    db.close();
  });
});

describe('WordIds.encode', () => {
  function encodedWords(words: WordIds, vocabulary: string[], text: string): string[] {
    const { ids, length } = words.encode(text);
    return Array.from(ids.subarray(0, length), (id) => (id === -1 ? '?' : vocabulary[id]!));
  }

  it('splits words exactly as tokenize() does', () => {
    const samples = [
      ...readWordnetGlosses().filter((_, index) => index % 50 === 0),
      "rock 'n' roll, o'neill's 'quoted' words'' ''",
      'ﬁne ligature, Ⅻ, ２０２４年, x²',
      'e\u0301t\u00e9 vs été; 𝐁𝐨𝐥𝐝 𝒮𝒸𝓇𝒾𝓅𝓉; 🐶🐱; עִבְרִית; हिन्दी; ไทย',
      "trailing apostrophe' and 'leading, it's, ‘single’",
    ];
    for (const text of samples) {
      const vocabulary = [...new Set(tokenize(text))];
      const words = new WordIds();
      for (const word of vocabulary) words.idOf(word);
      expect(encodedWords(words, vocabulary, text), text).toEqual(tokenize(text));
    }
  });

  it('marks words in no query with -1 and gives possessives their stem', () => {
    const words = new WordIds();
    const york = words.idOf('york');
    const { ids, stemIds, length } = words.encode("York's mayor, york");
    expect(length).toBe(3);
    expect(Array.from(ids.subarray(0, 3))).toEqual([-1, -1, york]);
    expect(Array.from(stemIds.subarray(0, 3))).toEqual([york, -1, -1]);
  });
});
